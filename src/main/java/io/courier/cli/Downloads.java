package io.courier.cli;

import io.courier.client.media.AttachmentPointer;
import io.courier.client.media.Attachments;
import io.courier.client.signal.DecryptedMessage;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Received attachments, saved as they arrive: {@code bob sent photo.jpg (1.2 MiB), saved to <folder>/photo.jpg},
 * with the download's progress in between. Files go into one folder ({@code --downloads}, default
 * {@code <home>/downloads}) under the sender's name made safe ({@link AttachmentPointer#safeFileName()}); a name
 * that is taken gets a number ({@code photo (1).jpg}), and is reserved at once (an empty file), so two downloads
 * never pick the same one.
 *
 * @implNote Runs on the messenger's context; the folder is created and names are reserved on a worker. A download
 *     that fails removes its reserved name and prints why. The command waits for {@link #settled()} before it
 *     closes the messenger, since a pointer that was acked and not saved is lost.
 */
final class Downloads {
  private final PrintStream out;
  private final Path folder;
  private final List<Future<?>> running = new ArrayList<>();

  Downloads(PrintStream out, Path folder) {
    this.out = out;
    this.folder = folder;
  }

  /** Shows the attachment in {@code message} and saves it; completes once it is saved or failed. */
  Future<Path> save(SecureMessenger messenger, DecryptedMessage message) {
    String who = message.isSync() ? "me -> " + message.to() + ":" : message.from() + " sent";
    AttachmentPointer pointer;
    try {
      pointer = AttachmentPointer.fromMessage(message.plaintext());
    } catch (IllegalArgumentException unreadable) {
      out.println("! " + message.from() + " sent an attachment this client cannot open: " + unreadable.getMessage());
      return Future.failedFuture(unreadable);
    }
    String shown = who + " " + pointer.safeFileName() + " (" + ProgressBar.size(pointer.plaintextSize()) + ")";
    out.println(shown + ", downloading");
    ProgressBar bar = new ProgressBar(out, "  downloading " + pointer.safeFileName());
    Path[] reserved = new Path[1];
    Future<Path> saved = messenger.vertx().executeBlocking(() -> reserved[0] = reserveName(pointer.safeFileName()))
        .compose(destination -> Attachments.download(messenger, pointer, destination, bar))
        .onSuccess(path -> out.println(shown + ", saved to " + path))
        .onFailure(failure -> {
          out.println("! " + shown + " could not be saved: " + failure.getMessage());
          messenger.vertx().executeBlocking(() -> unreserve(reserved[0]));
        });
    synchronized (running) {
      running.add(saved);
    }
    return saved;
  }

  /** Completes when every download started so far has ended, saved or not. */
  Future<Void> settled() {
    List<Future<?>> now;
    synchronized (running) {
      now = new ArrayList<>(running);
    }
    return Future.join(now).<Void>mapEmpty().recover(failed -> Future.succeededFuture());
  }

  /** Creates an empty file under the first free name: {@code name}, then {@code name (1)}, ... Blocking. */
  private Path reserveName(String name) {
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    String extension = dot > 0 ? name.substring(dot) : "";
    try {
      Files.createDirectories(folder);
      for (int n = 0; ; n++) {
        Path candidate = folder.resolve(n == 0 ? name : stem + " (" + n + ")" + extension);
        try {
          return Files.createFile(candidate);
        } catch (FileAlreadyExistsException taken) {
          // try the next number
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save into " + folder, e);
    }
  }

  /** Removes a reserved name that stayed empty. Blocking. */
  private static Void unreserve(Path reserved) {
    try {
      if (reserved != null && Files.size(reserved) == 0) {
        Files.delete(reserved);
      }
    } catch (IOException ignored) {
      // gone already, or not ours to remove
    }
    return null;
  }
}
