package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Self-tests of {@link RedisProcess} and {@link RespConnection} against a real redis-server. */
class RedisProcessTest {
  @Test
  void answersPingSetAndGetThroughCommand() {
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      assertThat(redis.port()).isPositive().isNotEqualTo(6379);
      assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
      assertThat(redis.command("PING")).isEqualTo("PONG");
      assertThat(redis.command("SET", "greeting", "héllo wörld")).isEqualTo("OK");
      assertThat(redis.command("GET", "greeting")).isEqualTo("héllo wörld");
      assertThat(redis.command("GET", "missing")).isNull();
    }
  }

  @Test
  void commandMapsStreamRepliesToListsAndLongs() {
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      Object id = redis.command("XADD", "mailbox:{u:1}:1", "*", "envelope", "abc");

      assertThat(redis.command("XLEN", "mailbox:{u:1}:1")).isEqualTo(1L);
      assertThat(redis.command("XRANGE", "mailbox:{u:1}:1", "-", "+"))
          .isEqualTo(List.of(List.of(id, List.of("envelope", "abc"))));
      assertThat(redis.command("KEYS", "mailbox:*")).isEqualTo(List.of("mailbox:{u:1}:1"));
      assertThat(redis.command("XREAD", "COUNT", "1", "STREAMS", "mailbox:{u:1}:1", "$")).isNull();
    }
  }

  @Test
  void commandThrowsErrorRepliesWithTheirCode() {
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      redis.command("SET", "plain", "value");

      assertThatThrownBy(() -> redis.command("XLEN", "plain"))
          .isInstanceOfSatisfying(RespErrorException.class, e -> assertThat(e.code()).isEqualTo("WRONGTYPE"));
      assertThat(redis.command("PING")).isEqualTo("PONG");
    }
  }

  @Test
  void connectionRunsSeveralCommandsAndReturnsErrorsInsideTransactions() {
    try (RedisProcess redis = RedisProcess.builder().build().start();
        RespConnection connection = redis.connect()) {
      connection.call("SET", "plain", "value");
      connection.call("MULTI");
      connection.call("INCR", "counter");
      connection.call("XLEN", "plain");

      List<?> results = (List<?>) connection.call("EXEC");

      assertThat(results.get(0)).isEqualTo(1L);
      assertThat(results.get(1)).isInstanceOfSatisfying(RespErrorException.class,
          e -> assertThat(e.code()).isEqualTo("WRONGTYPE"));
    }
  }

  @Test
  void keepsAWriteAcknowledgedBeforeKillWhenAppendOnlyFsyncsAlways() {
    try (RedisProcess redis = RedisProcess.builder().appendOnly(true).fsync("always").build().start()) {
      int port = redis.port();
      redis.command("SET", "durable", "yes");
      redis.command("XADD", "stream", "*", "n", "1");

      redis.kill();
      assertThat(redis.isRunning()).isFalse();
      redis.restart();

      assertThat(redis.port()).isEqualTo(port);
      assertThat(redis.command("GET", "durable")).isEqualTo("yes");
      assertThat(redis.command("XLEN", "stream")).isEqualTo(1L);
    }
  }

  @Test
  void keepsWritesAcrossAGracefulStopWhenAppendOnlyFsyncsEverySecond() {
    try (RedisProcess redis = RedisProcess.builder().appendOnly(true).fsync("everysec").build().start()) {
      redis.command("SET", "durable", "yes");

      redis.stop();
      redis.start();

      assertThat(redis.command("GET", "durable")).isEqualTo("yes");
    }
  }

  @Test
  void forgetsEverythingAcrossARestartWhenAppendOnlyIsOff() {
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      redis.command("SET", "volatile", "yes");

      redis.kill();
      redis.restart();

      assertThat(redis.command("GET", "volatile")).isNull();
      assertThat(redis.command("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
    }
  }

  @Test
  void restartFailsWithRedisOutputWhenItsPortIsTaken() throws IOException {
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      redis.kill();
      try (ServerSocket squatter = new ServerSocket(redis.port(), 1, InetAddress.getLoopbackAddress())) {
        assertThat(squatter.getLocalPort()).isEqualTo(redis.port());
        assertThatThrownBy(redis::start)
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("exited with code")
            .hasMessageContaining("Address already in use");
      }
    }
  }

  @Test
  void closeDeletesTheDataDirectory() {
    RedisProcess redis = RedisProcess.builder().appendOnly(true).build().start();
    Path dir = redis.dataDir();
    redis.command("SET", "k", "v");
    assertThat(dir).isDirectory();

    redis.close();

    assertThat(redis.isRunning()).isFalse();
    assertThat(Files.exists(dir)).isFalse();
    assertThatThrownBy(redis::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void runsTheBinaryBundledInEmbeddedRedisWithAppendOnly() {
    RedisProcess.Builder bundled = RedisProcess.builder().executable(RedisExecutable.bundled());
    try (RedisProcess redis = bundled.appendOnly(true).fsync("always").build().start()) {
      redis.command("SET", "durable", "yes");
      redis.kill();
      redis.restart();

      assertThat(redis.command("GET", "durable")).isEqualTo("yes");
      assertThat((String) redis.command("INFO", "server")).contains("redis_version:6.2");
    }
  }

  @Test
  void rejectsAnUnknownFsyncPolicy() {
    assertThatThrownBy(() -> RedisProcess.builder().fsync("sometimes"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sometimes");
  }
}
