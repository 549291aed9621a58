package io.courier.cli;

import io.courier.client.media.Attachments;
import io.courier.client.media.SentAttachment;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Future;
import java.io.IOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * End-to-end encrypted files: {@code send-file}, and the {@code --downloads} option of the commands that receive
 * them ({@code send}, {@code chat}, {@code send-file}).
 */
final class FileCommands {
  private FileCommands() {}

  /** {@code --downloads DIR}: where received attachments are saved. */
  static final class DownloadsOption {
    @Option(names = "--downloads", paramLabel = "DIR",
        description = "where received files are saved (default: <home>/downloads)")
    Path folder;
  }

  /** Uploads {@code file} with a progress bar and sends its pointer; the future fails with the reason. */
  static Future<SentAttachment> sendFile(SecureMessenger messenger, String to, Path file, String type,
      CourierCli cli) {
    String name = String.valueOf(file.getFileName());
    ProgressBar bar = new ProgressBar(cli.out, "  uploading " + name);
    return Attachments.send(messenger, to, file, type != null ? type : contentType(file), bar)
        .onSuccess(sent -> cli.out.println("  sent      " + sent.sent().id() + " (" + name + ", "
            + ProgressBar.size(sent.pointer().plaintextSize()) + ")"))
        .onFailure(e -> cli.out.println("  not sent: " + name + ": " + e.getMessage()));
  }

  /** The type the platform guesses from the file (its name, or its first bytes), else opaque bytes. */
  static String contentType(Path file) {
    try {
      String probed = Files.probeContentType(file);
      if (probed != null) {
        return probed;
      }
    } catch (IOException | SecurityException unknown) {
      // fall back to the name
    }
    String byName = URLConnection.guessContentTypeFromName(String.valueOf(file.getFileName()));
    return byName != null ? byName : Attachments.DEFAULT_CONTENT_TYPE;
  }

  @Command(name = "send-file", description = "Send a file (photo, video, document) end-to-end encrypted: it is "
      + "encrypted here, goes to the object store as ciphertext, and only its key travels, in a message.")
  static final class SendFileCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Option(names = "--to", required = true, description = "the account to send it to")
    String to;

    @Parameters(index = "1", description = "the file")
    Path file;

    @Option(names = "--type", description = "its MIME type (default: guessed from the file)")
    String type;

    @Mixin
    DownloadsOption downloads;

    @Override
    int run(Workspace ws) {
      Screen screen = new Screen(cli.out).saveTo(downloads.folder);
      SecureMessenger messenger = ws.open(username, screen);
      try {
        Future<SentAttachment> sent = sendFile(messenger, to, file, type, cli);
        Future.join(sent, screen.drained()).await();
        return 0;
      } catch (Exception notSent) {
        return 1; // the reason is on the screen
      } finally {
        ws.finish(messenger);
      }
    }
  }
}
