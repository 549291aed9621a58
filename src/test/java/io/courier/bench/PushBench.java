package io.courier.bench;

import io.courier.client.AccountApi;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.PushApi;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.push.PushTestKeys;
import io.courier.testing.RedisProcess;
import io.courier.testing.RespConnection;
import io.courier.testing.ServerProcess;
import io.courier.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wake-ups per second the push workers sustain: one server JVM ({@link ServerProcess}) with Web Push on, a
 * {@code redis-server} of its own (AOF, {@code everysec}, as {@link ChatBench}), and a push service in this JVM (a
 * Vert.x HTTP server on loopback answering {@code 201}, after {@code --delay} ms when set). Not a test: run it by
 * hand, see {@code docs/BENCHMARKS.md}.
 *
 * <p>Per round: {@code --devices} fresh accounts each register a Web Push subscription ({@code PUT /v1/push}, fresh
 * p256dh and auth) and never connect; {@code --senders} connected senders send one message to each (at most 500
 * unanswered per sender). The round's time runs from the first send until the push service has received one
 * wake-up per device; every second a line with the wake-ups received, the queue's depth (read straight from Redis:
 * the group's {@code lag} plus {@code pending}), and the server's and Redis's CPU. The first rounds warm the server's
 * JIT up; the last is the figure. {@code push.window} is an hour, so no device is woken twice in a run.
 *
 * <p>Options (defaults): {@code --devices 2000}, {@code --senders 4}, {@code --rounds 2}, {@code --delay 0} (ms
 * the push service waits before answering), {@code --server-set key=value} (repeatable), {@code --server-flag
 * <jvm flag>} (repeatable, e.g. {@code -XX:StartFlightRecording=...}; the server then exits by SIGTERM so the
 * recording is written).
 */
public final class PushBench {
  private static final String PASSWORD = "bench-password-1";
  /** Sends a sender has unanswered at most (as ChatBench's drain). */
  private static final int IN_FLIGHT = 500;

  private PushBench() {
  }

  public static void main(String[] args) throws Exception {
    int devices = 2000;
    int senders = 4;
    int rounds = 2;
    long delay = 0;
    List<String> sets = new ArrayList<>();
    List<String> flags = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--devices" -> devices = Integer.parseInt(args[i + 1]);
        case "--senders" -> senders = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        case "--delay" -> delay = Long.parseLong(args[i + 1]);
        case "--server-set" -> sets.add(args[i + 1]);
        case "--server-flag" -> flags.add(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    AtomicLong received = new AtomicLong();
    AtomicLong lastReceived = new AtomicLong();
    long answerDelay = delay;
    HttpServer service = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.incrementAndGet();
      lastReceived.set(System.nanoTime());
      if (answerDelay > 0) {
        vertx.setTimer(answerDelay, t -> request.response().setStatusCode(201).end());
      } else {
        request.response().setStatusCode(201).end();
      }
    })).listen(0, "127.0.0.1").await();
    String endpointBase = "http://127.0.0.1:" + service.actualPort() + "/push/";
    ServerProcess server = null;
    try (RedisProcess redis = RedisProcess.builder().appendOnly(true).fsync("everysec").build().start()) {
      ServerProcess.Builder b = ServerProcess.builder().jvmFlag("-Xmx1g")
          .set("dataDir=" + Files.createTempDirectory("courier-pushbench-"))
          .set("redis.url=" + redis.url()).set("server.instances=2")
          .set("limits.sendsPerSecond=1000000").set("limits.sendBurst=1000000")
          .set("limits.loginsPerMinute=1000000").set("limits.registrationsPerMinute=1000000")
          .set("auth.bcryptCost=4")
          .set("push.enabled=true").set("push.webPush.enabled=true").set("push.allowPrivateTargets=true")
          .set("push.window=PT1H").set("push.grace=PT0S");
      for (String s : TestTokens.generate().serverOverrides()) {
        b.set(s);
      }
      sets.forEach(b::set);
      flags.forEach(b::jvmFlag);
      server = b.build().start();
      ChatBench.Usage usage = new ChatBench.Usage(List.of(ConnectionBench.pid(server)), ChatBench.redisPid(redis));
      System.out.printf("server %s, push service %s, delay %d ms, %d devices, %d senders%n", server.baseUri(),
          endpointBase, delay, devices, senders);
      for (int round = 1; round <= rounds; round++) {
        System.out.printf("round %d of %d%s%n", round, rounds, round < rounds ? " (warms the JIT up)" : "");
        round(vertx, server.baseUri(), redis, usage, "r" + round + "-", devices, senders, endpointBase, received,
            lastReceived);
      }
      if (!flags.isEmpty()) {
        server.terminate(); // a clean exit, so a recording or an agent writes its output
      }
    } finally {
      if (server != null) {
        server.close();
      }
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void round(Vertx vertx, URI base, RedisProcess redis, ChatBench.Usage usage, String prefix,
      int devices, int senderCount, String endpointBase, AtomicLong received, AtomicLong lastReceived)
      throws Exception {
    AccountApi api = new AccountApi(vertx, base);
    PushApi push = new PushApi(vertx, base);
    long t0 = System.nanoTime();
    List<Session> targets = accounts(api, prefix + "d", devices);
    for (int from = 0; from < devices; from += 32) {
      List<Future<Void>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(devices, from + 32); i++) {
        batch.add(push.registerWebPush(targets.get(i).accessToken(), endpointBase + prefix + i,
            PushTestKeys.p256dh(), PushTestKeys.auth()));
      }
      await(Future.all(batch), 60);
    }
    List<Session> senderSessions = accounts(api, prefix + "s", senderCount);
    List<CourierClient> senders = new ArrayList<>();
    for (Session s : senderSessions) {
      CourierClient c = new CourierClient(vertx, ClientOptions.create(base, new SessionTokenSource(api, s)));
      await(c.connect(), 30);
      senders.add(c);
    }
    System.out.printf("%d devices registered with a subscription, %d senders connected in %d ms%n", devices,
        senderCount, (System.nanoTime() - t0) / 1_000_000);

    long before = received.get();
    ChatBench.Usage.Sample first = usage.sample();
    long start = System.nanoTime();
    AtomicLong acked = new AtomicLong();
    AtomicLong lastAck = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int s = 0; s < senderCount; s++) {
      int sender = s;
      Thread t = new Thread(() -> send(senders.get(sender), targets, sender, senderCount, acked, lastAck));
      t.start();
      threads.add(t);
    }
    ChatBench.Usage.Sample previous = first;
    long previousReceived = 0;
    long deadline = start + TimeUnit.MINUTES.toNanos(5);
    while (received.get() - before < devices && System.nanoTime() < deadline) {
      Thread.sleep(1000);
      ChatBench.Usage.Sample now = usage.sample();
      long got = received.get() - before;
      System.out.printf("  %5.1f s: sent-acked %d, wake-ups %d (+%d), queue depth %d, CPU server %.0f%% redis %.0f%%"
              + " bench %.0f%%%n", (now.nanos() - start) / 1e9, acked.get(), got, got - previousReceived,
          depth(redis), ChatBench.Usage.cpu(previous, now, ChatBench.Usage::serverTicks),
          ChatBench.Usage.cpu(previous, now, ChatBench.Usage::redisTicks),
          ChatBench.Usage.cpu(previous, now, ChatBench.Usage::benchTicks));
      previous = now;
      previousReceived = got;
    }
    for (Thread t : threads) {
      t.join();
    }
    ChatBench.Usage.Sample end = usage.sample();
    long got = received.get() - before;
    double seconds = (lastReceived.get() - start) / 1e9;
    double sendSeconds = (lastAck.get() - start) / 1e9;
    System.out.printf("round %s: %d sends acked in %.2f s (%.0f/s); %d wake-ups in %.2f s from the first send:"
            + " %.0f wake-ups/s; CPU server %.0f%% redis %.0f%% bench %.0f%%; queue depth now %d%n",
        prefix, acked.get(), sendSeconds, acked.get() / sendSeconds, got, seconds, got / seconds,
        ChatBench.Usage.cpu(first, end, ChatBench.Usage::serverTicks),
        ChatBench.Usage.cpu(first, end, ChatBench.Usage::redisTicks),
        ChatBench.Usage.cpu(first, end, ChatBench.Usage::benchTicks), depth(redis));
    for (CourierClient c : senders) {
      c.close();
    }
    api.close();
    push.close();
  }

  /** Sender {@code sender}'s share of the devices, one message each, at most {@link #IN_FLIGHT} unanswered. */
  private static void send(CourierClient client, List<Session> targets, int sender, int senderCount,
      AtomicLong acked, AtomicLong lastAck) {
    Semaphore window = new Semaphore(IN_FLIGHT);
    byte[] body = "wake".getBytes(StandardCharsets.US_ASCII);
    for (int i = sender; i < targets.size(); i += senderCount) {
      window.acquireUninterruptibly();
      Session to = targets.get(i);
      client.send("p-" + to.account(), to.account(), Map.of(to.device(), body)).onComplete(ar -> {
        if (ar.succeeded()) {
          acked.incrementAndGet();
          lastAck.set(System.nanoTime());
        }
        window.release();
      });
    }
    window.acquireUninterruptibly(IN_FLIGHT);
  }

  /** Unsettled entries of {@code pushq:{push}}: not yet read by a worker ({@code lag}) plus read and not acked. */
  private static long depth(RedisProcess redis) {
    try (RespConnection c = redis.connect()) {
      long depth = 0;
      for (Object group : (List<?>) c.call("XINFO", "GROUPS", "pushq:{push}")) {
        List<?> fields = (List<?>) group;
        for (int i = 0; i + 1 < fields.size(); i += 2) {
          String name = String.valueOf(fields.get(i));
          if (name.equals("lag") || name.equals("pending")) {
            depth += fields.get(i + 1) instanceof Number n ? n.longValue() : 0;
          }
        }
      }
      return depth;
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** Registers and logs in {@code prefix0 .. prefix(n-1)}, 32 at a time. */
  private static List<Session> accounts(AccountApi api, String prefix, int n) throws Exception {
    List<Session> sessions = new ArrayList<>();
    for (int from = 0; from < n; from += 32) {
      List<Future<Session>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(n, from + 32); i++) {
        String name = prefix + i;
        batch.add(api.register(name, PASSWORD).compose(v -> api.login(name, PASSWORD, "bench")));
      }
      await(Future.all(batch), 60);
      batch.forEach(f -> sessions.add(f.result()));
    }
    return sessions;
  }

  private static <T> T await(Future<T> future, long seconds) throws Exception {
    CompletableFuture<T> f = future.toCompletionStage().toCompletableFuture();
    return f.get(seconds, TimeUnit.SECONDS);
  }
}
