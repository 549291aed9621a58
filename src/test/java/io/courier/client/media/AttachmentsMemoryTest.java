package io.courier.client.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.ServerExtension;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays flat by construction (every step of {@link Attachments} holds one 64 KiB chunk at a time); this
 * checks it: a JVM whose heap (and direct memory) is smaller than the file sends and receives it end to end through
 * the real server and store. An implementation that held the file, or a part of it, in memory would fail with an
 * {@link OutOfMemoryError}.
 */
class AttachmentsMemoryTest {

  static final int FILE_MEBIBYTES = 96;
  static final String HEAP = "-Xmx48m";

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @TempDir
  Path work;

  @Test
  void aFileTwiceTheSizeOfTheHeapGoesEndToEndInABoundedJvm() throws Exception {
    Path output = work.resolve("child.log");
    Process child = new ProcessBuilder(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP, "-XX:MaxDirectMemorySize=32m",
        "-cp", System.getProperty("java.class.path"), BoundedHeapTransfer.class.getName(), SERVER.baseUri(),
        work.toString(), String.valueOf(FILE_MEBIBYTES), TestIds.unique("alice"), TestIds.unique("bob"),
        TestAccounts.PASSWORD))
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      boolean exited = child.waitFor(120, TimeUnit.SECONDS);
      assertThat(exited).as("the child ended within 120 s:\n%s", read(output)).isTrue();
      assertThat(child.exitValue()).as(read(output)).isZero();
      assertThat(read(output)).as("Bob's file is Alice's").containsPattern("(?m)^same [0-9a-f]{64}$")
          .contains("peak heap");
    } finally {
      child.destroyForcibly();
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
