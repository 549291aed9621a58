package io.courier.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import redis.embedded.core.ExecutableProvider;

/**
 * Finds the {@code redis-server} binary the tests run: the one on {@code PATH} (CI installs Debian's),
 * else the binary bundled in the {@code com.github.codemonstur:embedded-redis} jar, extracted once
 * per JVM to a temporary directory.
 *
 * @implNote The bundled Linux x86-64 binary is Redis 6.2 and needs glibc 2.34 or later and OpenSSL 3.
 */
public final class RedisExecutable {
  /** The binary name looked up on {@code PATH}. */
  public static final String NAME = "redis-server";

  private RedisExecutable() {
  }

  /** {@code redis-server} from {@code PATH} if there is one, else the bundled binary. */
  public static Path find() {
    return onPath().orElseGet(RedisExecutable::bundled);
  }

  /** The first executable {@code redis-server} in the directories of {@code PATH}. */
  public static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, NAME);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** The binary bundled in the embedded-redis jar for this OS and architecture, extracted on first use. */
  public static Path bundled() {
    return Bundled.PATH;
  }

  /** Holder so the jar resource is extracted only when the bundled binary is really wanted. */
  private static final class Bundled {
    static final Path PATH = extract();

    private static Path extract() {
      try {
        return ExecutableProvider.newJarResourceProvider().get().toPath();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot extract the redis-server bundled in embedded-redis", e);
      }
    }
  }
}
