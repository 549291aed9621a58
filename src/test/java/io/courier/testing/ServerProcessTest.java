package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Self-tests of {@link ServerProcess}, run against {@link FakeCourierMain} so they do not depend on
 * the real server being finished.
 */
class ServerProcessTest {
  private static ServerProcess.Builder fake() {
    return ServerProcess.builder().mainClass(FakeCourierMain.class.getName());
  }

  @Test
  void startWaitsForTheReadyLineAndTakesPortAndUriFromIt() throws IOException {
    try (ServerProcess server = fake().build().start()) {
      assertThat(server.isRunning()).isTrue();
      assertThat(server.port()).isPositive().isNotEqualTo(6379);
      assertThat(server.baseUri()).hasToString("http://127.0.0.1:" + server.port());
      assertThat(server.output()).contains("args --config config/courier.yaml --set server.port=" + server.port());
      try (Socket connection = new Socket("127.0.0.1", server.port())) {
        assertThat(connection.isConnected()).isTrue();
      }
    }
  }

  @Test
  void passesTheConfigFileAndOverridesAfterThePort() {
    try (ServerProcess server = fake().config("config/other.yaml").set("redis.url=redis://127.0.0.1:1234")
        .set("server.port=0").build().start()) {
      assertThat(server.output()).containsPattern(
          "args --config config/other.yaml --set server.port=\\d+ --set redis.url=redis://127.0.0.1:1234 "
              + "--set server.port=0");
      assertThat(server.port()).isPositive();
    }
  }

  @Test
  void startFailsWithTheCapturedOutputWhenTheServerExitsEarly() {
    ServerProcess server = fake().set("fake.exit=3").build();

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3 before it was ready")
        .hasMessageContaining("fake failure")
        .hasMessageContaining("-cp ");
  }

  @Test
  void startFailsAndKillsTheServerWhenNoReadyLineComesInTime() {
    ServerProcess server = fake().set("fake.silent=true").startTimeout(Duration.ofMillis(500)).build();

    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("did not print 'courier listening on")
        .hasMessageContaining("fake.silent=true");
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void killEndsTheJvmLikeACrash() {
    try (ServerProcess server = fake().build().start()) {
      int port = server.port();

      assertThat(server.kill()).isEqualTo(128 + 9);

      assertThat(server.isRunning()).isFalse();
      assertThat(server.output()).doesNotContain("fake shutdown hook ran");
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void terminateLetsTheJvmRunItsShutdownHooks() {
    try (ServerProcess server = fake().build().start()) {
      assertThat(server.terminate()).isEqualTo(128 + 15);

      assertThat(server.isRunning()).isFalse();
      assertThat(server.output()).contains("fake shutdown hook ran");
    }
  }

  @Test
  void startAgainAfterKillUsesTheSamePort() {
    try (ServerProcess server = fake().build().start()) {
      int port = server.port();
      server.kill();

      server.start();

      assertThat(server.port()).isEqualTo(port);
    }
  }

  @Test
  void writesTheOutputToAFileUnderTarget() {
    try (ServerProcess server = fake().build().start()) {
      assertThat(server.outputFile().toString()).contains("target/process-logs/server-");
      Poll.until(Duration.ofSeconds(5), () -> readQuietly(server).contains("courier listening on"),
          () -> "the log file did not get the ready line");
      assertThat(Files.exists(server.outputFile())).isTrue();
    }
  }

  private static String readQuietly(ServerProcess server) {
    try {
      return Files.readString(server.outputFile());
    } catch (IOException e) {
      return "";
    }
  }
}
