package io.courier.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Poll;
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
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
  void aBurstBeyondTheClientsWaitingQueueWaitsInsteadOfFailing() {
    // More commands in one turn than the Redis client takes in flight on a connection (it would fail the rest with
    // "Redis waiting queue is full"): thousands of sockets on one event loop do that under load.
    int burst = 2 * RedisClients.MAX_WAITING_HANDLERS + 5_000;
    String key = TestIds.unique("burst");
    String batchKey = TestIds.unique("burst-batch");
    List<Future<?>> replies = onContext(() -> {
      List<Future<?>> sent = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        sent.add(redis.send(Request.cmd(Command.RPUSH).arg(key).arg(i)));
        if (i % 1_000 == 0) {
          sent.add(redis.batch(List.of(Request.cmd(Command.RPUSH).arg(batchKey).arg(i),
              Request.cmd(Command.RPUSH).arg(batchKey).arg(i + 1))));
        }
      }
      return sent;
    });
    WireClient.await(Future.join(replies));
    assertThat(replies).as("commands that failed").allMatch(Future::succeeded);
    List<Integer> list = new ArrayList<>();
    for (Response item : WireClient.await(redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(-1)))) {
      list.add(item.toInteger());
    }
    assertThat(list).hasSize(burst);
    for (int i = 0; i < burst; i++) {
      assertThat(list.get(i)).as("position %d", i).isEqualTo(i);
    }
    assertThat(WireClient.await(redis.send(Request.cmd(Command.LLEN).arg(batchKey))).toInteger())
        .isEqualTo(2 * ((burst + 999) / 1_000));
  }

  @Test
  void commandsFromAnotherThreadKeepTheirOrder() throws Exception {
    String key = TestIds.unique("worker");
    List<Future<Response>> sent = new ArrayList<>();
    Thread worker = new Thread(() -> {
      for (int i = 0; i < 3 * RedisClients.MAX_WAITING_HANDLERS; i++) {
        sent.add(redis.send(Request.cmd(Command.RPUSH).arg(key).arg(i)));
      }
    });
    worker.start();
    worker.join();
    WireClient.await(Future.join(new ArrayList<>(sent)));
    assertThat(sent).as("commands that failed").allMatch(Future::succeeded);
    Response list = WireClient.await(redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(-1)));
    assertThat(list.size()).isEqualTo(3 * RedisClients.MAX_WAITING_HANDLERS);
    for (int i = 0; i < list.size(); i++) {
      assertThat(list.get(i).toInteger()).as("position %d", i).isEqualTo(i);
    }
  }

  @Test
  void commandsWrittenInOneTurnLeaveInFewFlushes() {
    RedisConnection connection = WireClient.await(redis.connection());
    ChannelPipeline pipeline = RedisChannels.pipeline(connection);
    assertThat(pipeline).as("the Redis connection's pipeline").isNotNull();
    AtomicInteger flushes = new AtomicInteger();
    // First in the pipeline, i.e. nearest the socket: it sees the flushes that reach the socket.
    pipeline.addFirst(new ChannelOutboundHandlerAdapter() {
      @Override
      public void flush(ChannelHandlerContext ctx) {
        flushes.incrementAndGet();
        ctx.flush();
      }
    });
    String key = TestIds.unique("flushes");
    List<Future<Response>> replies = onContext(() -> {
      List<Future<Response>> sent = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        sent.add(redis.send(Request.cmd(Command.INCR).arg(key)));
      }
      return sent;
    });
    WireClient.await(Future.all(replies));
    assertThat(WireClient.await(redis.send(Request.cmd(Command.GET).arg(key))).toInteger()).isEqualTo(2_000);
    // 2,000 commands flushed one by one would be 2,000 flushes; consolidated, one per 256 and one at the turn's end.
    assertThat(flushes.get()).as("flushes reaching the socket").isBetween(1, 2_000 / 256 + 3);
  }

  @Test
  void aNewConnectionCachesTheScriptsBeforeItsFirstCommand() {
    RedisScript script = RedisScript.load("limits_take.lua");
    REDIS.redis().command("SCRIPT", "FLUSH");
    long evalsBefore = REDIS.redis().calls("eval");
    // The first command makes the connection; with the scripts cached first, EVALSHA finds its script.
    Response reply = WireClient.await(script.run(redis, List.of(TestIds.unique("limit")), List.of("5", "1", "1")));
    assertThat(reply.get(0).toInteger()).as("tokens granted").isEqualTo(1);
    assertThat(REDIS.redis().calls("eval")).as("EVAL fallbacks after NOSCRIPT").isEqualTo(evalsBefore);
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
