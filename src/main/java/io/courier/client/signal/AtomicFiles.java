package io.courier.client.signal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Whole-file writes that a crash cannot leave half done: the bytes go to a temporary file next to the target, are
 * forced to the disk, and the temporary file is then renamed over the target in one atomic step.
 *
 * @implNote A reader sees the old file or the new one, never a mix, also after a process crash or a power loss
 *     once {@link #write} has returned. The directory entry itself is not forced, so after a power loss right
 *     after a write the old file may come back (never a torn one). Temporary files left by a crash start with
 *     {@value #TEMP_PREFIX} and are ignored by readers. Not safe for two processes writing the same file.
 */
final class AtomicFiles {

  /** Prefix of the temporary files; store readers skip names that start with it. */
  static final String TEMP_PREFIX = ".tmp-";

  private AtomicFiles() {
  }

  /** Replaces {@code target} with {@code bytes} atomically, creating its directory when needed. */
  static void write(Path target, byte[] bytes) {
    try {
      Path dir = target.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, TEMP_PREFIX, ".part");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      move(temp, target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /** The file's bytes, or null when it does not exist. */
  static byte[] readIfExists(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException absent) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Deletes the file if it exists. */
  static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + file, e);
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException notOnThisFileSystem) {
      Files.delete(temp);
      throw notOnThisFileSystem;
    }
  }
}
