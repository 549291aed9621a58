package io.courier.client.signal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The messages this Device has handled (shown to the app, or reported as undecryptable), named by (sender account,
 * message id), kept across restarts so a redelivered one is acked silently instead of failing to decrypt again.
 *
 * <p>File {@value #FILE} in the store's folder: one line per message, {@code <account> TAB <id> LF}, appended as
 * messages are handled; rewritten (atomically, see {@link AtomicFiles}) with the newest {@link #capacity} entries
 * once it holds twice as many lines.
 *
 * @implNote Appends are not forced to the disk: after a power loss or a crash the last few entries may be missing,
 *     and such a message, redelivered, is reported as undecryptable (libsignal sees a repeat) instead of being
 *     dropped silently. A torn last line is ignored on reading. Bounded: a message older than the newest
 *     {@link #capacity} ones is forgotten. Not thread-safe: used on the messenger's context.
 */
final class SeenMessages {

  static final String FILE = "seen.log";

  /** The default number of messages remembered. */
  static final int DEFAULT_CAPACITY = 10_000;

  private final Path file;
  private final int capacity;
  private final LinkedHashSet<String> seen = new LinkedHashSet<>();
  private int lines;

  private SeenMessages(Path file, int capacity) {
    this.file = file;
    this.capacity = capacity;
  }

  /** Reads the file in {@code dir}, if there is one. */
  static SeenMessages open(Path dir, int capacity) {
    SeenMessages messages = new SeenMessages(dir.resolve(FILE), capacity);
    byte[] bytes = AtomicFiles.readIfExists(messages.file);
    if (bytes != null) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      for (String line : text.substring(0, end + 1).split("\n")) {
        if (!line.isEmpty()) {
          messages.remember(line);
          messages.lines++;
        }
      }
    }
    return messages;
  }

  boolean contains(String from, String id) {
    return seen.contains(key(from, id));
  }

  /** Records a message as handled, appending it to the file. */
  void add(String from, String id) {
    String key = key(from, id);
    if (!remember(key)) {
      return;
    }
    if (lines + 1 > 2 * capacity) {
      compact();
      return;
    }
    try {
      Files.write(file, (key + "\n").getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      lines++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }

  int size() {
    return seen.size();
  }

  private boolean remember(String key) {
    if (!seen.add(key)) {
      return false;
    }
    if (seen.size() > capacity) {
      Iterator<String> oldest = seen.iterator();
      oldest.next();
      oldest.remove();
    }
    return true;
  }

  private void compact() {
    StringBuilder text = new StringBuilder();
    seen.forEach(key -> text.append(key).append('\n'));
    AtomicFiles.write(file, text.toString().getBytes(StandardCharsets.UTF_8));
    lines = seen.size();
  }

  private static String key(String from, String id) {
    return from + "\t" + id;
  }
}
