package io.courier.bench;

import io.courier.client.AccountApi;
import io.courier.client.ClientListener;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.IncomingMessage;
import io.courier.client.Receipt;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.testing.RedisProcess;
import io.courier.testing.ServerProcess;
import io.courier.testing.SystemCalls;
import io.courier.testing.TestTokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * End-to-end chat bench: latency measured at the recipient from each message's <em>intended</em> send time
 * (open loop, so a stalled server cannot hide behind coordinated omission), delivered throughput, lost,
 * duplicated and reordered messages, delivered receipts, and the server's CPU and RSS. Not a test: run it by
 * hand, see {@code docs/BENCHMARKS.md}.
 *
 * <p>Steps: start a {@code redis-server} (AOF on, {@code appendfsync everysec}) and {@code --nodes} server JVMs
 * (clustered, with one {@link BenchCluster}, when more than one) with the send and login limits raised and
 * {@code auth.bcryptCost=4}; register and log in {@code s-<i>} and {@code r-<i>} for every pair; connect one SDK
 * {@link CourierClient} per account, all in this JVM on one {@link Vertx}: with several nodes, pair i's sender
 * to node {@code i % nodes} and its recipient to the next node, so that every message and every receipt crosses
 * from one node to another (the drain's senders are on the first node, its recipient on the second); the
 * servers' CPU and RSS are summed over the nodes. A 1 ms periodic timer on one event loop then computes message
 * k's intended time
 * {@code start + k / rate} and, once it has come, sends it from sender {@code k % pairs}; the payload is {@code <seq> <intendedNanos>} plus padding. The
 * recipient records {@code System.nanoTime() - intended} in an HdrHistogram and tracks each sender's
 * sequence numbers. Every second a progress line; at the end a bounded wait for stragglers, a summary and
 * {@code target/bench/chat-<timestamp>.json}; every process started is stopped.
 *
 * <p>{@code --drain N} instead stores N messages from {@code --senders} senders (default 1) for one recipient that
 * is logged in but not connected (the store rate: N / time until every {@code sent}), then connects it (the drain
 * rate: N / time from connect to the last message); {@code --rounds} times (default 3) with fresh accounts, the
 * earlier rounds warming the server's JIT up; every round is printed and kept in the JSON.
 *
 * <p>Duplicates: the clients run with a dedup window of 1 (the SDK's default is 10,000), so a redelivery reaches
 * the listener and is counted unless it repeats the message delivered just before it.
 *
 * <p>Options: {@code --nodes 1}, {@code --pairs 100}, {@code --rate 2000} (messages per second, all senders
 * together), {@code --duration 30} (seconds), {@code --warmup 5} (seconds at the same rate before, not counted),
 * {@code --payload 64} (bytes), {@code --grace 10} (seconds to wait for stragglers), {@code --drain 0},
 * {@code --server-xmx 1g}, {@code --jfr <file>} (records a JFR profile of the first server into the file),
 * {@code --server-flag <jvm flag>} (repeatable; e.g. a profiler agent; the server then exits by SIGTERM so the
 * agent can write its output), {@code --server-set key=value} (repeatable; a server
 * setting, e.g. {@code mailbox.readBatch=500}), {@code --redis-set name=value} (repeatable; a {@code redis.conf}
 * directive for the bench's Redis, e.g. {@code auto-aof-rewrite-min-size=1gb}).
 */
public final class ChatBench {
  private static final String PASSWORD = "bench-password-1";
  private static final long CLOCK_TICKS = 100;

  private ChatBench() {
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path out = Path.of("target", "bench");
    Files.createDirectories(out);
    String stamp = Instant.now().toString().replace(":", "").replace(".", "");
    // epoll, as the server: NIO's write path (a copy to a direct buffer, the selector) cost the bench 51% and 57%
    // of a core at 14,000 msgs/s where epoll took 45% and 47%, CPU the server and Redis share
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    JsonObject result;
    RedisProcess.Builder redisBuilder = RedisProcess.builder().appendOnly(true).fsync("everysec");
    for (String set : o.redisSets) {
      String[] pair = set.split("=", 2);
      redisBuilder.setting(pair[0], pair[1]);
    }
    List<ServerProcess> servers = new ArrayList<>();
    try (RedisProcess redis = redisBuilder.build().start();
         BenchCluster cluster = o.nodes > 1 ? BenchCluster.start() : null) {
      TestTokens tokens = TestTokens.generate();
      List<Long> serverPids = new ArrayList<>();
      for (int n = 0; n < o.nodes; n++) {
        servers.add(startServer(o, redis, tokens, cluster, n));
        serverPids.add(ConnectionBench.pid(servers.get(n)));
      }
      long redisPid = redisPid(redis);
      List<URI> nodes = servers.stream().map(ServerProcess::baseUri).toList();
      System.out.printf("redis pid %d, servers %s pids %s, bench pid %d (clients on %s)%n", redisPid, nodes,
          serverPids, ProcessHandle.current().pid(), vertx.isNativeTransportEnabled() ? "epoll" : "NIO");
      Usage usage = new Usage(serverPids, redisPid);
      result = o.drain > 0 ? drain(o, vertx, nodes, usage) : chat(o, vertx, nodes, usage);
      result.put("options", o.toJson()).put("serverPids", new io.vertx.core.json.JsonArray(serverPids));
      if (o.jfr != null || !o.serverFlags.isEmpty()) {
        servers.forEach(ServerProcess::terminate); // a clean exit writes the recording (or an agent's profile)
        System.out.println("server profile " + o.jfr);
      }
    } finally {
      servers.forEach(ServerProcess::close);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    Path file = out.resolve("chat-" + stamp + ".json");
    Files.writeString(file, result.encodePrettily());
    System.out.println("wrote " + file);
  }

  /** Node {@code n}: all nodes share Redis, the token keys and, when clustered, the cluster's settings. */
  private static ServerProcess startServer(Options o, RedisProcess redis, TestTokens tokens, BenchCluster cluster,
      int n) throws IOException {
    ServerProcess.Builder b = ServerProcess.builder().jvmFlag("-Xmx" + o.serverXmx)
        .set("dataDir=" + Files.createTempDirectory("courier-chatbench-"))
        .set("redis.url=" + redis.url()).set("server.instances=2")
        .set("limits.sendsPerSecond=1000000").set("limits.sendBurst=1000000")
        .set("limits.loginsPerMinute=1000000").set("limits.registrationsPerMinute=1000000")
        .set("auth.bcryptCost=4");
    for (String s : tokens.serverOverrides()) {
      b.set(s);
    }
    if (cluster != null) {
      cluster.settings().forEach(b::set);
    }
    o.serverFlags.forEach(b::jvmFlag);
    o.serverSets.forEach(b::set); // after the bench's own settings, so they win
    if (o.jfr != null && n == 0) {
      // A profile of the whole server run (node 0's), written when it exits; open it with `jfr print` or JMC.
      b.jvmFlag("-XX:StartFlightRecording=filename=" + Path.of(o.jfr).toAbsolutePath() + ",settings=profile");
    }
    return b.build().start();
  }

  /** The redis-server child: it rewrites its command line to {@code /usr/bin/redis-server 127.0.0.1:<port>}. */
  static long redisPid(RedisProcess redis) {
    String port = ":" + redis.port();
    return ProcessHandle.current().children()
        .filter(p -> {
          String cmdline = cmdline(p.pid());
          return cmdline.contains("redis-server") && cmdline.contains(port);
        })
        .findFirst().map(ProcessHandle::pid).orElse(-1L);
  }

  private static String cmdline(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  // ---------------------------------------------------------------- the open-loop chat run

  private static JsonObject chat(Options o, Vertx vertx, List<URI> nodes, Usage usage) throws Exception {
    AccountApi api = new AccountApi(vertx, nodes.get(0));
    long t0 = System.nanoTime();
    List<Session> senders = accounts(api, "s-", o.pairs);
    List<Session> receivers = accounts(api, "r-", o.pairs);
    System.out.printf("%d accounts registered and logged in in %d ms%n", 2 * o.pairs, ms(t0));

    long total = (long) o.rate * o.duration;
    int perSender = (int) ((total + o.pairs - 1) / o.pairs);
    Stats stats = new Stats(o.pairs, perSender);
    // The warm-up runs the very same code (payload, parsing, histogram, receipts) into its own, discarded stats,
    // so that neither JVM meets new code when the measured part starts.
    Stats warmStats = new Stats(o.pairs, (int) (((long) o.rate * o.warmup + o.pairs - 1) / o.pairs) + 1);
    List<CourierClient> clients = new ArrayList<>();
    List<Future<Void>> connects = new ArrayList<>();
    for (int i = 0; i < o.pairs; i++) {
      int pair = i;
      // With several nodes a pair's two clients are on different nodes: every message and receipt crosses nodes.
      URI senderNode = nodes.get(i % nodes.size());
      URI receiverNode = nodes.get((i + 1) % nodes.size());
      CourierClient r = client(vertx, api, receiverNode, receivers.get(i), new ClientListener() {
        @Override
        public void onMessage(IncomingMessage m) {
          (m.id().startsWith("w-") ? warmStats : stats).received(pair, m.ciphertext());
        }
      });
      CourierClient s = client(vertx, api, senderNode, senders.get(i), new ClientListener() {
        @Override
        public void onReceipt(Receipt receipt) {
          if (Receipt.DELIVERED.equals(receipt.kind())) {
            stats.receipts(pair, receipt.ids().stream().filter(id -> id.startsWith("m-")).toList());
            warmStats.receipts(pair, receipt.ids().stream().filter(id -> id.startsWith("w-")).toList());
          }
        }
      });
      clients.add(r);
      clients.add(s);
      connects.add(r.connect());
      connects.add(s.connect());
    }
    await(Future.all(connects), 60);
    System.out.printf("%d clients connected in %d ms; sending %d messages at %d/s for %d s%n", clients.size(),
        ms(t0), total, o.rate, o.duration);

    byte[] padding = new byte[Math.max(0, o.payload - 40)];
    Arrays.fill(padding, (byte) 'x');
    String pad = new String(padding, StandardCharsets.US_ASCII);
    long intervalNanos = 1_000_000_000L / o.rate;
    long start = System.nanoTime() + 200_000_000L + TimeUnit.SECONDS.toNanos(o.warmup);
    Progress progress = new Progress(stats, usage, start);
    if (o.warmup > 0) {
      System.out.printf("warm-up: %d s at %d/s, not counted%n", o.warmup, o.rate);
    }
    progress.begin();
    long warm = (long) o.rate * o.warmup;
    // Every millisecond, on one event loop, send each message whose intended time has come. Not a thread parking
    // until each message's time: at 14,000 msgs/s that was 14,000 parks and cross-thread hand-offs (event-fd
    // writes) a second, a fifth of this JVM's CPU, taken from the server and Redis sharing the cores. A message
    // sent up to a tick late counts that against the latency, which is measured from the intended time.
    CompletableFuture<Void> scheduled = new CompletableFuture<>();
    long[] next = {-warm};
    vertx.getOrCreateContext().runOnContext(v -> vertx.setPeriodic(1, tick -> {
      long now = System.nanoTime();
      for (long k = next[0]; k < total; k = ++next[0]) {
        long intended = start + k * 1_000_000_000L / o.rate;
        if (intended > now) {
          return;
        }
        // warm-up (k < 0): the same rate and the same code, counted in warmStats, which nobody reads
        boolean warming = k < 0;
        long n = warming ? k + warm : k;
        Stats into = warming ? warmStats : stats;
        int pair = (int) (n % o.pairs);
        int seq = (int) (n / o.pairs);
        byte[] body = (seq + " " + intended + " " + pad).getBytes(StandardCharsets.US_ASCII);
        Session to = receivers.get(pair);
        into.sent.incrementAndGet();
        clients.get(2 * pair + 1).send((warming ? "w-" : "m-") + pair + "-" + seq, to.account(),
                Map.of(to.device(), body))
            .onComplete(into::sendDone);
      }
      vertx.cancelTimer(tick);
      scheduled.complete(null);
    }));
    boolean finished;
    try {
      scheduled.get(o.warmup + o.duration + 60L, TimeUnit.SECONDS);
      finished = true;
    } catch (java.util.concurrent.TimeoutException e) {
      finished = false;
    }
    long sendEnd = System.nanoTime();
    long deadline = sendEnd + TimeUnit.SECONDS.toNanos(o.grace);
    while (System.nanoTime() < deadline
        && (stats.distinct.get() < stats.sent.get() || stats.receiptIds.get() < stats.sent.get())) {
      Thread.sleep(100);
    }
    long lastReceive = stats.lastReceive.get();
    progress.end();
    Usage.Sample end = usage.sample();
    // One /metrics scrape per node, read for every server-side figure below.
    List<String> scrapes = new ArrayList<>(nodes.size());
    for (URI node : nodes) {
      scrapes.add(ConnectionBench.metrics(node));
    }
    double remoteWakeups = nodes.size() > 1 ? sum(scrapes, "courier_wakeups_remote_total") : 0;
    double nodeMessages = nodes.size() > 1 ? sum(scrapes, "courier_node_messages_sent_total") : 0;
    // Refusals the clients may have hidden by resending (UNAVAILABLE, RATE_LIMITED) show here, not in the counts.
    Map<String, Double> errors = errorsByCode(scrapes);
    double acksRetried = sum(scrapes, "courier_acks_retried_total");
    for (CourierClient c : clients) {
      c.close();
    }
    api.close();
    if (!finished) {
      System.out.println("WARNING: the scheduler did not finish in time; results are partial");
    }

    double seconds = (Math.max(lastReceive, start) - start) / 1e9;
    JsonObject summary = summary(stats, progress, end, seconds, (sendEnd - start) / 1e9);
    System.out.printf("server error frames by code (warm-up included) %s, acks retried %.0f%n", errors, acksRetried);
    summary.put("serverErrors", new JsonObject(new java.util.LinkedHashMap<>(errors))).put("acksRetried", acksRetried);
    if (nodes.size() > 1) {
      // warm-up included: every message and receipt of it crossed nodes too
      System.out.printf("devices woken on another node (all nodes, warm-up included): %.0f, in %.0f event-bus"
          + " messages%n", remoteWakeups, nodeMessages);
      summary.put("remoteWakeups", remoteWakeups).put("nodeMessages", nodeMessages);
    }
    return summary;
  }

  /** {@code courier_errors_total} by its {@code code} tag, summed over the nodes' scrapes. */
  private static Map<String, Double> errorsByCode(List<String> scrapes) {
    Pattern series = Pattern.compile("(?m)^courier_errors_total\\{[^}]*code=\"([A-Z_]+)\"[^}]*} ([0-9.eE+-]+)$");
    Map<String, Double> byCode = new java.util.TreeMap<>();
    for (String scrape : scrapes) {
      Matcher m = series.matcher(scrape);
      while (m.find()) {
        byCode.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
      }
    }
    return byCode;
  }

  /** A counter summed over the nodes' scrapes. */
  private static double sum(List<String> scrapes, String metric) {
    double sum = 0;
    for (String scrape : scrapes) {
      sum += ConnectionBench.metric(scrape, metric);
    }
    return sum;
  }

  private static JsonObject summary(Stats stats, Progress progress, Usage.Sample end, double receiveSeconds,
      double sendSeconds) {
    Histogram h = stats.snapshot();
    long lost = stats.sent.get() - stats.distinct.get();
    JsonObject lat = new JsonObject().put("count", h.getTotalCount())
        .put("p50", ms(h, 50)).put("p90", ms(h, 90)).put("p99", ms(h, 99)).put("p999", ms(h, 99.9))
        .put("max", h.getMaxValue() / 1e6).put("mean", h.getMean() / 1e6);
    double cpuServer = progress.cpu(end, Usage::serverTicks);
    double cpuRedis = progress.cpu(end, Usage::redisTicks);
    double cpuBench = progress.cpu(end, Usage::benchTicks);
    System.out.println();
    System.out.printf("sent %d in %.1f s (%.0f/s), sent-acked %d, send failures %d %s%n", stats.sent.get(),
        sendSeconds, stats.sent.get() / sendSeconds, stats.acked.get(), stats.sendFailed.get(), stats.failures);
    System.out.printf("delivered %d distinct (%d raw) in %.1f s: %.0f msgs/s%n", stats.distinct.get(),
        stats.raw.get(), receiveSeconds, stats.distinct.get() / receiveSeconds);
    System.out.printf("latency ms (from intended send time): p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
        ms(h, 50), ms(h, 90), ms(h, 99), ms(h, 99.9), h.getMaxValue() / 1e6);
    System.out.printf("lost (not delivered within --grace) %d, duplicated %d, reordered %d, delivered receipts %d of %d%n", lost,
        stats.duplicates.get(), stats.reordered.get(), stats.receiptIds.get(), stats.sent.get());
    System.out.printf("CPU (%% of one core, whole run): server %.0f%%, redis %.0f%%, bench JVM %.0f%%; server RSS"
        + " %d MiB (peak seen %d MiB)%n", cpuServer, cpuRedis, cpuBench, end.serverRssKb / 1024,
        progress.peakRssKb / 1024);
    double perMessage = Math.max(1, stats.distinct.get());
    double serverWrites = (end.serverWrites() - progress.first.serverWrites()) / perMessage;
    double redisReads = (end.redisReads() - progress.first.redisReads()) / perMessage;
    double redisWrites = (end.redisWrites() - progress.first.redisWrites()) / perMessage;
    System.out.printf("system calls per delivered message: server writes %.2f, redis reads %.2f, redis writes %.2f%n",
        serverWrites, redisReads, redisWrites);
    return new JsonObject().put("mode", "chat").put("sent", stats.sent.get()).put("sendSeconds", sendSeconds)
        .put("sentAcked", stats.acked.get()).put("sendFailures", stats.sendFailed.get())
        .put("sendFailureCodes", new JsonObject(new java.util.TreeMap<String, Object>(stats.failures.entrySet().stream().collect(
            java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> e.getValue().get())))))
        .put("deliveredDistinct", stats.distinct.get()).put("deliveredRaw", stats.raw.get())
        .put("deliveredPerSecond", stats.distinct.get() / receiveSeconds).put("latencyMs", lat)
        .put("lost", lost).put("duplicated", stats.duplicates.get()).put("reordered", stats.reordered.get())
        .put("deliveredReceipts", stats.receiptIds.get())
        .put("cpuPercent", new JsonObject().put("server", cpuServer).put("redis", cpuRedis).put("bench", cpuBench))
        .put("serverRssKiB", end.serverRssKb).put("serverPeakRssKiB", progress.peakRssKb)
        .put("syscallsPerMessage", new JsonObject().put("serverWrites", serverWrites).put("redisReads", redisReads)
            .put("redisWrites", redisWrites));
  }

  // ---------------------------------------------------------------- the offline drain run

  private static JsonObject drain(Options o, Vertx vertx, List<URI> nodes, Usage usage) throws Exception {
    AccountApi api = new AccountApi(vertx, nodes.get(0));
    io.vertx.core.json.JsonArray rounds = new io.vertx.core.json.JsonArray();
    try {
      for (int round = 1; round <= o.rounds; round++) {
        System.out.printf("round %d of %d%s%n", round, o.rounds, round < o.rounds ? " (warms the JIT up)" : "");
        rounds.add(drainRound(o, vertx, api, nodes, usage, round));
      }
    } finally {
      api.close();
    }
    JsonObject warm = warmRounds(rounds);
    return new JsonObject().put("mode", "drain").put("rounds", rounds)
        .put("last", rounds.getJsonObject(rounds.size() - 1)).put("warm", warm);
  }

  /**
   * Store and drain rates of the second half of the rounds (the first half warms the JIT up: a fresh server keeps
   * compiling for its first ~20 s under this load), as min, median and max; printed and returned.
   */
  private static JsonObject warmRounds(io.vertx.core.json.JsonArray rounds) {
    int from = rounds.size() / 2;
    List<Double> store = new ArrayList<>();
    List<Double> drain = new ArrayList<>();
    for (int i = from; i < rounds.size(); i++) {
      store.add(rounds.getJsonObject(i).getDouble("storePerSecond"));
      drain.add(rounds.getJsonObject(i).getDouble("drainPerSecond"));
    }
    JsonObject warm = new JsonObject().put("fromRound", from + 1).put("toRound", rounds.size())
        .put("storePerSecond", spread(store)).put("drainPerSecond", spread(drain));
    System.out.printf("rounds %d-%d: stored %s msgs/s, drained %s msgs/s (min / median / max)%n", from + 1,
        rounds.size(), format(store), format(drain));
    return warm;
  }

  private static JsonObject spread(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return new JsonObject().put("min", sorted.get(0)).put("median", sorted.get(sorted.size() / 2))
        .put("max", sorted.get(sorted.size() - 1));
  }

  private static String format(List<Double> values) {
    JsonObject s = spread(values);
    return String.format("%,.0f / %,.0f / %,.0f", s.getDouble("min"), s.getDouble("median"), s.getDouble("max"));
  }

  /**
   * One round: {@code --senders} connected senders store {@code --drain} messages (split evenly) for one recipient
   * that is logged in but not connected, each with at most 500 sends unanswered; then the recipient connects and
   * its backlog is drained. Fresh accounts per round.
   */
  private static JsonObject drainRound(Options o, Vertx vertx, AccountApi api, List<URI> nodes, Usage usage,
      int round) throws Exception {
    // With several nodes the senders are on the first and the recipient on the second.
    URI senderNode = nodes.get(0);
    URI recipientNode = nodes.get(1 % nodes.size());
    List<Session> senderSessions = accounts(api, "s" + round + "-", o.senders);
    Session recipient = accounts(api, "r" + round + "-", 1).get(0);
    int perSender = o.drain / o.senders;
    int total = perSender * o.senders;
    Stats stats = new Stats(o.senders, perSender);
    Map<String, Integer> senderIndex = new java.util.HashMap<>();
    List<CourierClient> senders = new ArrayList<>();
    for (int i = 0; i < o.senders; i++) {
      int index = i;
      senderIndex.put(senderSessions.get(i).account(), i);
      CourierClient s = client(vertx, api, senderNode, senderSessions.get(i), new ClientListener() {
        @Override
        public void onReceipt(Receipt receipt) {
          if (Receipt.DELIVERED.equals(receipt.kind())) {
            stats.receipts(index, receipt.ids());
          }
        }
      });
      await(s.connect(), 30);
      senders.add(s);
    }
    byte[] padding = new byte[Math.max(0, o.payload - 40)];
    Arrays.fill(padding, (byte) 'x');
    String pad = new String(padding, StandardCharsets.US_ASCII);
    Usage.Sample before = usage.sample();
    long t0 = System.nanoTime();
    int window = 500;
    Semaphore[] windows = new Semaphore[o.senders];
    Arrays.setAll(windows, i -> new Semaphore(window));
    for (int seq = 0; seq < perSender; seq++) {
      for (int i = 0; i < o.senders; i++) {
        if (!windows[i].tryAcquire(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("no sent for 30 s");
        }
        byte[] body = (seq + " " + System.nanoTime() + " " + pad).getBytes(StandardCharsets.US_ASCII);
        stats.sent.incrementAndGet();
        Semaphore w = windows[i];
        senders.get(i).send("m-" + i + "-" + seq, recipient.account(), Map.of(recipient.device(), body))
            .onComplete(ar -> {
              (ar.succeeded() ? stats.acked : stats.sendFailed).incrementAndGet();
              w.release();
            });
      }
    }
    for (Semaphore w : windows) {
      w.tryAcquire(window, 60, TimeUnit.SECONDS);
    }
    double storeSeconds = (System.nanoTime() - t0) / 1e9;
    Usage.Sample stored = usage.sample();
    System.out.printf("stored %d from %d senders (failures %d) in %.2f s: %.0f msgs/s; server CPU %.0f%%, redis %.0f%%,"
        + " RSS %d MiB%n", stats.acked.get(), o.senders, stats.sendFailed.get(), storeSeconds,
        stats.acked.get() / storeSeconds, Usage.cpu(before, stored, Usage::serverTicks),
        Usage.cpu(before, stored, Usage::redisTicks), stored.serverRssKb / 1024);

    long[] drainedAt = {0};
    long t1 = System.nanoTime();
    CourierClient r = client(vertx, api, recipientNode, recipient, new ClientListener() {
      @Override
      public void onMessage(IncomingMessage m) {
        stats.received(senderIndex.get(m.from()), m.ciphertext());
      }

      @Override
      public void onDrained() {
        drainedAt[0] = System.nanoTime();
      }
    });
    r.connect();
    long deadline = t1 + TimeUnit.SECONDS.toNanos(Math.max(60, o.grace));
    while (System.nanoTime() < deadline && stats.distinct.get() < stats.acked.get()) {
      Thread.sleep(5);
    }
    long last = stats.lastReceive.get();
    double drainSeconds = (last - t1) / 1e9;
    Usage.Sample drained = usage.sample();
    // the receipts of the acks reach the senders after the drain
    long receiptDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < receiptDeadline && stats.receiptIds.get() < stats.acked.get()) {
      Thread.sleep(20);
    }
    long drainedNanos = drainedAt[0];
    System.out.printf("drained %d (raw %d, lost %d, dup %d, reordered %d) in %.3f s: %.0f msgs/s; `drained`"
        + " after %s; server CPU %.0f%%, redis %.0f%%, bench %.0f%%, RSS %d MiB; delivered receipts %d;"
        + " server write calls per message %.2f%n", stats.distinct.get(),
        stats.raw.get(), stats.acked.get() - stats.distinct.get(), stats.duplicates.get(), stats.reordered.get(),
        drainSeconds, stats.distinct.get() / drainSeconds,
        drainedNanos == 0 ? "never" : String.format("%.3f s", (drainedNanos - t1) / 1e9),
        Usage.cpu(stored, drained, Usage::serverTicks), Usage.cpu(stored, drained, Usage::redisTicks),
        Usage.cpu(stored, drained, Usage::benchTicks), drained.serverRssKb / 1024, stats.receiptIds.get(),
        (drained.serverWrites() - stored.serverWrites()) / (double) Math.max(1, stats.distinct.get()));
    r.close();
    senders.forEach(CourierClient::close);
    return new JsonObject().put("round", round).put("messages", total).put("senders", o.senders)
        .put("stored", stats.acked.get()).put("storeFailures", stats.sendFailed.get())
        .put("storeSeconds", storeSeconds).put("storePerSecond", stats.acked.get() / storeSeconds)
        .put("drained", stats.distinct.get()).put("drainedRaw", stats.raw.get()).put("drainSeconds", drainSeconds)
        .put("drainPerSecond", stats.distinct.get() / drainSeconds)
        .put("drainedFrameSeconds", drainedNanos == 0 ? null : (drainedNanos - t1) / 1e9)
        .put("lost", stats.acked.get() - stats.distinct.get()).put("duplicated", stats.duplicates.get())
        .put("reordered", stats.reordered.get()).put("deliveredReceipts", stats.receiptIds.get())
        .put("serverCpuPercentStore", Usage.cpu(before, stored, Usage::serverTicks))
        .put("redisCpuPercentStore", Usage.cpu(before, stored, Usage::redisTicks))
        .put("serverCpuPercentDrain", Usage.cpu(stored, drained, Usage::serverTicks))
        .put("serverWriteCallsPerMessageDrain",
            (drained.serverWrites() - stored.serverWrites()) / (double) Math.max(1, stats.distinct.get()))
        .put("serverRssKiB", drained.serverRssKb);
  }

  // ---------------------------------------------------------------- accounts and clients

  /** Registers and logs in {@code prefix0 .. prefix(n-1)}, at most 32 at a time. */
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

  private static CourierClient client(Vertx vertx, AccountApi api, URI base, Session session,
      ClientListener listener) {
    return new CourierClient(vertx, ClientOptions.create(base, new SessionTokenSource(api, session))
        .withListener(listener).withDedupCapacity(1).withBackoff(Duration.ofMillis(50), Duration.ofSeconds(2)));
  }

  private static <T> T await(Future<T> future, long seconds) throws Exception {
    CompletableFuture<T> f = future.toCompletionStage().toCompletableFuture();
    return f.get(seconds, TimeUnit.SECONDS);
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1e6;
  }

  // ---------------------------------------------------------------- what the recipients saw

  /** Counters and the latency histogram; {@link #received} runs on the clients' event loops. */
  static final class Stats {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong acked = new AtomicLong();
    final AtomicLong sendFailed = new AtomicLong();
    final AtomicLong raw = new AtomicLong();
    final AtomicLong distinct = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong reordered = new AtomicLong();
    final AtomicLong receiptIds = new AtomicLong();
    final AtomicLong lastReceive = new AtomicLong();
    /** Failed sends by the failure's code (CLIENT_CLOSED: still in the outbox when the clients closed). */
    final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> failures = new java.util.concurrent.ConcurrentHashMap<>();

    void sendDone(io.vertx.core.AsyncResult<?> ar) {
      if (ar.succeeded()) {
        acked.incrementAndGet();
      } else {
        sendFailed.incrementAndGet();
        String code = ar.cause() instanceof io.courier.client.CourierException e ? e.code()
            : ar.cause().getClass().getSimpleName();
        failures.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
      }
    }
    /** Nanoseconds, 1 µs to 10 min, 3 significant digits. */
    private final Histogram latency = new Histogram(1_000, TimeUnit.MINUTES.toNanos(10), 3);
    private final BitSet[] seen;
    private final int[] highest;
    private final BitSet[] receipted;

    Stats(int senders, int perSender) {
      seen = new BitSet[senders];
      receipted = new BitSet[senders];
      highest = new int[senders];
      for (int i = 0; i < senders; i++) {
        seen[i] = new BitSet(perSender);
        receipted[i] = new BitSet(perSender);
        highest[i] = -1;
      }
    }

    void received(int sender, byte[] body) {
      long now = System.nanoTime();
      String text = new String(body, 0, Math.min(body.length, 40), StandardCharsets.US_ASCII);
      int a = text.indexOf(' ');
      int b = text.indexOf(' ', a + 1);
      int seq = Integer.parseInt(text.substring(0, a));
      long intended = Long.parseLong(text.substring(a + 1, b < 0 ? text.length() : b));
      raw.incrementAndGet();
      synchronized (this) {
        if (seen[sender].get(seq)) {
          duplicates.incrementAndGet();
          return;
        }
        seen[sender].set(seq);
        if (seq < highest[sender]) {
          reordered.incrementAndGet();
        } else {
          highest[sender] = seq;
        }
        latency.recordValue(Math.min(Math.max(now - intended, 1_000), latency.getHighestTrackableValue()));
      }
      distinct.incrementAndGet();
      lastReceive.set(now);
    }

    void receipts(int sender, List<String> ids) {
      synchronized (receipted[sender]) {
        for (String id : ids) {
          int seq = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
          if (!receipted[sender].get(seq)) {
            receipted[sender].set(seq);
            receiptIds.incrementAndGet();
          }
        }
      }
    }

    synchronized Histogram snapshot() {
      return latency.copy();
    }
  }

  // ---------------------------------------------------------------- CPU and memory from /proc

  /** utime + stime of the servers (summed over the nodes), Redis and this JVM, and the servers' RSS (summed). */
  record Usage(List<Long> serverPids, long redisPid) {
    /**
     * {@code serverWrites}, {@code redisReads}, {@code redisWrites}: read and write system calls so far
     * ({@code syscr}/{@code syscw} of /proc/pid/io; -1 unknown).
     */
    record Sample(long nanos, long serverTicks, long redisTicks, long benchTicks, long serverRssKb,
        long serverWrites, long redisReads, long redisWrites) {
    }

    Sample sample() {
      long rss = 0;
      long serverTicks = 0;
      long serverWrites = 0;
      for (long pid : serverPids) {
        rss = sumOrUnknown(rss, rssKb(pid));
        serverTicks += ticks(pid);
        serverWrites = sumOrUnknown(serverWrites, calls(SystemCalls::writes, pid));
      }
      return new Sample(System.nanoTime(), serverTicks, ticks(redisPid), ticks(ProcessHandle.current().pid()),
          rss, serverWrites, calls(SystemCalls::reads, redisPid), calls(SystemCalls::writes, redisPid));
    }

    private static long sumOrUnknown(long sum, long value) {
      return sum < 0 || value < 0 ? -1 : sum + value;
    }

    /** -1 when the process is gone or /proc cannot be read. */
    private static long rssKb(long pid) {
      try {
        return ConnectionBench.rssKb(pid);
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    /** -1 when the process is gone or /proc cannot be read. */
    private static long calls(java.util.function.LongUnaryOperator count, long pid) {
      try {
        return count.applyAsLong(pid);
      } catch (RuntimeException e) {
        return -1;
      }
    }

    static long serverTicks(Sample s) {
      return s.serverTicks;
    }

    static long redisTicks(Sample s) {
      return s.redisTicks;
    }

    static long benchTicks(Sample s) {
      return s.benchTicks;
    }

    /** CPU between two samples in percent of one core (200% is both cores of this machine). */
    static double cpu(Sample a, Sample b, java.util.function.ToLongFunction<Sample> ticks) {
      double seconds = (b.nanos - a.nanos) / 1e9;
      return seconds <= 0 ? 0 : 100.0 * (ticks.applyAsLong(b) - ticks.applyAsLong(a)) / CLOCK_TICKS / seconds;
    }

    /** Fields 14 and 15 (utime, stime) of {@code /proc/<pid>/stat}, counted after the ")" of the name. */
    static long ticks(long pid) {
      if (pid <= 0) {
        return 0;
      }
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /** The once-a-second progress line. */
  static final class Progress {
    private final Stats stats;
    private final Usage usage;
    private final long start;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Usage.Sample first;
    volatile long peakRssKb;

    Progress(Stats stats, Usage usage, long start) {
      this.stats = stats;
      this.usage = usage;
      this.start = start;
      this.thread = new Thread(this::run, "chatbench-progress");
      this.thread.setDaemon(true);
    }

    void begin() {
      thread.start();
    }

    void end() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(2000);
    }

    double cpu(Usage.Sample end, java.util.function.ToLongFunction<Usage.Sample> ticks) {
      return Usage.cpu(first, end, ticks);
    }

    private void run() {
      try {
        Thread.sleep(Math.max(0, (start - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        return;
      }
      first = usage.sample();
      Usage.Sample previous = first;
      long previousDelivered = 0;
      for (int second = 1; running && second < 3600; second++) {
        try {
          Thread.sleep(Math.max(0, (start - System.nanoTime()) / 1_000_000 + second * 1000L));
        } catch (InterruptedException e) {
          return;
        }
        Usage.Sample now = usage.sample();
        peakRssKb = Math.max(peakRssKb, now.serverRssKb);
        Histogram h = stats.snapshot();
        long delivered = stats.distinct.get();
        System.out.printf("%4d s  sent %8d  delivered %8d (+%6d)  receipts %8d  p50 %7.1f ms  p99 %7.1f ms"
            + "  server CPU %3.0f%%  redis %3.0f%%  bench %3.0f%%  RSS %4d MiB%n", second, stats.sent.get(),
            delivered, delivered - previousDelivered, stats.receiptIds.get(), ms(h, 50), ms(h, 99),
            Usage.cpu(previous, now, Usage::serverTicks), Usage.cpu(previous, now, Usage::redisTicks),
            Usage.cpu(previous, now, Usage::benchTicks), now.serverRssKb / 1024);
        previous = now;
        previousDelivered = delivered;
      }
    }
  }

  /** Command-line options; see the class comment for the defaults. */
  record Options(int pairs, int rate, int duration, int warmup, int payload, int grace, int drain,
      String serverXmx, String jfr, List<String> serverFlags, int senders, int rounds, List<String> serverSets,
      List<String> redisSets, int nodes) {
    static Options parse(String[] args) {
      int pairs = 100;
      int rate = 2_000;
      int duration = 30;
      int warmup = 5;
      int payload = 64;
      int grace = 10;
      int drain = 0;
      String serverXmx = "1g";
      String jfr = null;
      List<String> serverFlags = new ArrayList<>();
      int senders = 1;
      int rounds = 3;
      List<String> serverSets = new ArrayList<>();
      List<String> redisSets = new ArrayList<>();
      int nodes = 1;
      for (int i = 0; i + 1 < args.length; i += 2) {
        String value = args[i + 1];
        switch (args[i]) {
          case "--pairs" -> pairs = Integer.parseInt(value);
          case "--rate" -> rate = Integer.parseInt(value);
          case "--duration" -> duration = Integer.parseInt(value);
          case "--warmup" -> warmup = Integer.parseInt(value);
          case "--payload" -> payload = Integer.parseInt(value);
          case "--grace" -> grace = Integer.parseInt(value);
          case "--drain" -> drain = Integer.parseInt(value);
          case "--server-xmx" -> serverXmx = value;
          case "--jfr" -> jfr = value;
          case "--server-flag" -> serverFlags.add(value);
          case "--senders" -> senders = Integer.parseInt(value);
          case "--server-set" -> serverSets.add(value);
          case "--rounds" -> rounds = Integer.parseInt(value);
          case "--nodes" -> nodes = Integer.parseInt(value);
          case "--redis-set" -> {
            if (!value.contains("=")) {
              throw new IllegalArgumentException("--redis-set needs name=value, not " + value);
            }
            redisSets.add(value);
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (pairs < 1 || rate < 1 || duration < 1 || duration > 3600 || grace > 600 || drain < 0) {
        throw new IllegalArgumentException("need pairs, rate, duration >= 1, duration <= 3600, grace <= 600");
      }
      if (senders < 1 || rounds < 1 || drain > 0 && drain < senders) {
        throw new IllegalArgumentException("need senders, rounds >= 1 and drain >= senders");
      }
      if (nodes < 1 || nodes > 8) {
        throw new IllegalArgumentException("need 1 <= nodes <= 8");
      }
      return new Options(pairs, rate, duration, warmup, payload, grace, drain, serverXmx, jfr, serverFlags, senders,
          rounds, serverSets, redisSets, nodes);
    }

    JsonObject toJson() {
      return new JsonObject().put("pairs", pairs).put("rate", rate).put("duration", duration).put("warmup", warmup)
          .put("payload", payload).put("grace", grace).put("drain", drain).put("serverXmx", serverXmx)
          .put("jfr", jfr).put("serverFlags", new io.vertx.core.json.JsonArray(serverFlags))
          .put("senders", senders).put("rounds", rounds).put("serverSets", new io.vertx.core.json.JsonArray(serverSets))
          .put("redisSets", new io.vertx.core.json.JsonArray(redisSets)).put("nodes", nodes);
    }
  }
}
