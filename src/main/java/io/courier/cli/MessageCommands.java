package io.courier.cli;

import io.courier.client.Sent;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Commands that exchange end-to-end encrypted messages: send, chat, safety-number, trust. Files that arrive while
 * {@code send} or {@code chat} runs are saved ({@code --downloads}); in {@code chat}, {@code /file PATH} sends one.
 */
final class MessageCommands {
  private MessageCommands() {}

  /** A chat line starting with this sends the file named by the rest of the line. */
  static final String FILE_PREFIX = "/file ";

  /** Sends one line, showing its single tick or why it was not sent. */
  static Future<Sent> send(SecureMessenger messenger, String to, String text, CourierCli cli) {
    return messenger.send(to, text.getBytes(StandardCharsets.UTF_8))
        .onSuccess(sent -> cli.out.println("  sent      " + sent.id()))
        .onFailure(e -> cli.out.println("  not sent: " + e.getMessage()));
  }

  @Command(name = "send", description = "Send one end-to-end encrypted message (and show what was waiting).")
  static final class SendCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Option(names = "--to", required = true, description = "the account to write to")
    String to;

    @Parameters(index = "1..*", arity = "1..*", description = "the text")
    List<String> words;

    @Mixin
    FileCommands.DownloadsOption downloads;

    @Override
    int run(Workspace ws) {
      Screen screen = new Screen(cli.out).saveTo(downloads.folder);
      SecureMessenger messenger = ws.open(username, screen);
      try {
        Future<Sent> sent = send(messenger, to, String.join(" ", words), cli);
        Future.join(sent, screen.drained()).await();
        return 0;
      } finally {
        ws.finish(messenger);
      }
    }
  }

  @Command(name = "chat", description = "Chat in the terminal: shows messages, files and ticks; each line typed is "
      + "sent to --to, and '/file PATH' sends a file. End with Ctrl-D.")
  static final class ChatCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Option(names = "--to", description = "who lines go to")
    String to;

    @Mixin
    FileCommands.DownloadsOption downloads;

    @Override
    int run(Workspace ws) throws Exception {
      Screen screen = new Screen(cli.out).saveTo(downloads.folder);
      SecureMessenger messenger = ws.open(username, screen);
      try {
        cli.out.println("connected as " + messenger.account() + " device " + messenger.device()
            + (to == null ? "" : "; lines go to " + to + " (end-to-end encrypted)"));
        List<Future<?>> pending = new ArrayList<>();
        for (String line = cli.in.readLine(); line != null; line = cli.in.readLine()) {
          if (to != null && line.startsWith(FILE_PREFIX)) {
            pending.add(FileCommands.sendFile(messenger, to, Path.of(line.substring(FILE_PREFIX.length()).strip()),
                null, cli));
          } else if (to != null && !line.isBlank()) {
            pending.add(send(messenger, to, line, cli));
          }
        }
        // End of input: wait until every line is stored and the waiting backlog has been shown (files are saved
        // before the messenger closes: see Workspace.finish).
        pending.add(screen.drained());
        Future.join(new ArrayList<>(pending)).await();
        return 0;
      } finally {
        ws.finish(messenger);
      }
    }
  }

  @Command(name = "safety-number", description = "Show the safety number with a contact, to compare in person.")
  static final class SafetyNumberCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Parameters(index = "1", description = "the contact")
    String contact;

    @Override
    int run(Workspace ws) throws Exception {
      return ws.withMessenger(username, new Screen(cli.out), messenger -> {
        cli.out.println("safety number of " + username + " and " + contact + ":");
        cli.out.println("  " + messenger.safetyNumber(contact));
        return 0;
      });
    }
  }

  @Command(name = "trust", description = "Accept a contact's new identity after comparing safety numbers.")
  static final class TrustCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Parameters(index = "1", description = "the contact")
    String contact;

    @Override
    int run(Workspace ws) throws Exception {
      return ws.withMessenger(username, new Screen(cli.out), messenger -> {
        messenger.trust(contact);
        cli.out.println("sends to " + contact + " work again; safety number:");
        cli.out.println("  " + messenger.safetyNumber(contact));
        return 0;
      });
    }
  }
}
