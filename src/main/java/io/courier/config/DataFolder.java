package io.courier.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The data folder ({@code dataDir}) and its parts, readable by the server's own user only: it holds the embedded
 * Redis's AOF (every account, message and token), the embedded store's attachments, the development signing key
 * and the embedded Redis's password. Folders are {@code rwx------}, secret files {@code rw-------}; both are
 * tightened at every start, so a folder made by an older version (or with a loose umask) is fixed too.
 *
 * @implNote On a file system without POSIX permissions (Windows) nothing is changed: there the folder's ACLs
 * are the operator's to set.
 */
public final class DataFolder {
  private static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
  private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private DataFolder() {}

  /** Creates {@code dir} (and missing parents) and makes it owner-only; returns it. */
  public static Path prepare(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (POSIX) {
      Files.setPosixFilePermissions(dir, FOLDER);
    }
    return dir;
  }

  /** Makes an existing secret file owner-only. */
  public static void tighten(Path file) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(file, SECRET);
    }
  }

  /**
   * Writes a secret file that is owner-only from its first byte: written to a temporary file created with those
   * permissions, then moved into place, so no other user ever sees its content, nor a half-written file.
   */
  public static void writeSecret(Path file, String content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path temporary = POSIX
        ? Files.createTempFile(dir, file.getFileName().toString(), ".tmp",
            PosixFilePermissions.asFileAttribute(SECRET))
        : Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try {
      Files.writeString(temporary, content);
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
