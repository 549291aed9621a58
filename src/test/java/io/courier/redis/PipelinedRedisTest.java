package io.courier.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Poll;
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PipelinedRedis} on a real {@code redis-server}. */
class PipelinedRedisTest {
  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().build();

  private Vertx vertx;
  private PipelinedRedis redis;
  private Context context;

  @BeforeEach
  void connect() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    redis = new PipelinedRedis(RedisClients.create(vertx, REDIS.url(), 8, false), context);
  }

  @AfterEach
  void close() {
    WireClient.await(redis.close());
    WireClient.await(vertx.close());
  }

  @Test
  void commandsSentTogetherShareOneConnectionAndAreAppliedInOrder() {
    String key = TestIds.unique("order");
    long connectionsBefore = clients();
    List<Future<Response>> replies = onContext(() -> {
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        sent.add(redis.send(Request.cmd(Command.RPUSH).arg(key).arg(i)));
      }
      return sent;
    });
    WireClient.await(Future.all(replies));
    List<Object> list = new ArrayList<>();
    for (Response item : WireClient.await(redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(-1)))) {
      list.add(item.toInteger());
    }
    assertThat(list).hasSize(2_000);
    for (int i = 0; i < 2_000; i++) {
      assertThat(list.get(i)).as("position %d", i).isEqualTo(i);
    }
    // A pooled client would have opened up to 8 connections for 2,000 commands in flight; the other one counted is
    // the connection clients() itself opens to ask.
    assertThat(clients() - connectionsBefore).as("connections opened").isEqualTo(1 + 1);
  }

  @Test
  void aConnectionThatDiesIsReplacedByTheNextCommand() {
    String key = TestIds.unique("revive");
    WireClient.await(redis.send(Request.cmd(Command.SET).arg(key).arg("1")));
    REDIS.redis().command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
    // The kill is noticed asynchronously; until then a command may still fail on the dead connection.
    Poll.until(Duration.ofSeconds(10), () -> {
      Future<Response> get = redis.send(Request.cmd(Command.GET).arg(key));
      CompletableFuture<Response> reply = get.toCompletionStage().toCompletableFuture();
      try {
        return "1".equals(reply.get().toString());
      } catch (Exception e) {
        return false;
      }
    }, () -> "commands kept failing after the connection was killed");
    assertThat(WireClient.await(redis.send(Request.cmd(Command.INCR).arg(key))).toInteger()).isEqualTo(2);
  }

  /** Connections Redis has accepted since it started. */
  private static long clients() {
    String info = REDIS.redis().command("INFO", "stats").toString();
    int at = info.indexOf("total_connections_received:");
    return Long.parseLong(info.substring(at + 27, info.indexOf('\r', at)).trim());
  }

  private <T> T onContext(java.util.function.Supplier<T> work) {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> done.complete(work.get()));
    return done.join();
  }
}
