package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Self-tests of {@link RedisServerExtension}. */
class RedisServerExtensionTest {
  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().appendOnly(true).fsync("always").build();

  @Test
  void injectsTheClassServerWithTheChosenPersistence(RedisProcess redis) {
    assertThat(redis).isSameAs(REDIS.redis());
    assertThat(redis.isRunning()).isTrue();
    assertThat(REDIS.url()).isEqualTo(redis.url());
    assertThat(redis.command("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "yes"));
    assertThat(redis.command("CONFIG", "GET", "appendfsync")).isEqualTo(List.of("appendfsync", "always"));
  }

  @Test
  void testsShareTheServerAndIsolateByUniqueNames() {
    String alice = TestIds.unique("alice");
    String bob = TestIds.unique("alice");

    REDIS.redis().command("SET", "account:{u:" + alice + "}", "1");

    assertThat(REDIS.redis().command("GET", "account:{u:" + bob + "}")).isNull();
  }

  /** A nested class must see the outer class's server, not start a second one. */
  @Nested
  class InANestedClass {
    @Test
    void sharesTheOuterClassServer(RedisProcess redis) {
      assertThat(redis).isSameAs(REDIS.redis());
      assertThat(redis.command("PING")).isEqualTo("PONG");
    }
  }
}
