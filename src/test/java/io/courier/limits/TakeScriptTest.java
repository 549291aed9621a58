package io.courier.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.redis.RedisClients;
import io.courier.testing.Poll;
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code limits_take.lua} through {@link TakeScript}, on a real {@code redis-server}. */
class TakeScriptTest {
  /** A refill so slow that no token comes back while a test runs. */
  static final double NO_REFILL = 0.001;

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().build();

  static Vertx vertx;
  static Redis redis;

  @BeforeAll
  static void connect() {
    vertx = Vertx.vertx();
    redis = RedisClients.create(vertx, REDIS.url(), 2, false);
  }

  @AfterAll
  static void disconnect() {
    WireClient.await(vertx.close());
  }

  @Test
  void grantsAtMostTheWholeTokensThereAndTakesThem() {
    TakeScript script = new TakeScript(redis, 10, NO_REFILL);
    String key = key();

    assertThat(take(script, key, 4)).isEqualTo(new TakeScript.Grant(4, 0));
    assertThat(take(script, key, 4)).isEqualTo(new TakeScript.Grant(4, 0));
    assertThat(take(script, key, 4)).as("only 2 are left").isEqualTo(new TakeScript.Grant(2, 0));
    TakeScript.Grant none = take(script, key, 4);

    assertThat(none.tokens()).isZero();
    assertThat(none.waitMillis()).as("one token at 0.001/s").isBetween(900_000L, 1_000_000L);
    assertThat(Double.parseDouble((String) REDIS.redis().command("HGET", key, "tokens"))).isLessThan(1);
  }

  @Test
  void neverGrantsMoreThanAskedFor() {
    TakeScript script = new TakeScript(redis, 10, NO_REFILL);
    String key = key();

    assertThat(take(script, key, 3)).isEqualTo(new TakeScript.Grant(3, 0));
    assertThat(take(script, key, 1)).isEqualTo(new TakeScript.Grant(1, 0));
    assertThat(take(script, key, 16)).isEqualTo(new TakeScript.Grant(6, 0));
  }

  @Test
  void oneAtATimeIsTheSingleTokenBucketAndAnAbsentCountMeansOne() throws IOException {
    TakeScript script = new TakeScript(redis, 2, NO_REFILL);
    String key = key();

    assertThat(take(script, key, 1)).isEqualTo(new TakeScript.Grant(1, 0));
    assertThat(REDIS.redis().command("EVAL", source(), "1", key, "2", Double.toString(NO_REFILL)))
        .as("the reply to a call without ARGV[3]").isEqualTo(List.of(1L, 0L));
    TakeScript.Grant refused = take(script, key, 1);

    assertThat(refused.tokens()).isZero();
    assertThat(refused.waitMillis()).isPositive();
  }

  @Test
  void refillsAtTheRateAndTellsTheWaitForOneToken() {
    TakeScript script = new TakeScript(redis, 4, 20);
    String key = key();
    // Drained: whatever refilled between two calls is taken by the next, until a call finds less than one token.
    TakeScript.Grant empty = Poll.untilValue(Duration.ofSeconds(5), () -> take(script, key, 4),
        grant -> grant.tokens() == 0, () -> "the bucket never ran dry");

    assertThat(empty.waitMillis()).as("one token at 20/s").isBetween(1L, 50L);
    TakeScript.Grant refilled = Poll.untilValue(Duration.ofSeconds(5), () -> take(script, key, 4),
        grant -> grant.tokens() > 0, () -> "no token came back");
    assertThat(refilled.tokens()).isBetween(1, 4);
  }

  private static TakeScript.Grant take(TakeScript script, String key, int wanted) {
    return WireClient.await(script.run(key, wanted));
  }

  private static String key() {
    return "limit:{u:" + TestIds.unique("script") + "}:send";
  }

  private static String source() throws IOException {
    try (InputStream in = TakeScriptTest.class.getResourceAsStream("/lua/limits_take.lua")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
