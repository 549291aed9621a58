package io.courier.bench;

import io.courier.testing.RedisProcess;
import io.courier.testing.ServerProcess;
import io.courier.testing.TestTokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many idle, authenticated WebSocket connections one server process (or several clustered ones) holds,
 * and the server memory (RSS) per connection. Not a test: run it by hand, see {@code docs/BENCHMARKS.md}.
 *
 * <p>Steps: start a {@code redis-server} and {@code --nodes} server JVMs (clustered, with an embedded S3 store
 * in this JVM, when more than one); create the devices {@code devices:{u:bench-<i>}} field {@code 1} in Redis
 * with one Lua call and mint one token each; start client JVMs ({@link ConnectionBenchClient}, at most
 * {@code --per-client} connections each, each from its own source address 127.0.0.2, .3, ...), which first open
 * and close their part of their node's warm-up of {@code --warmup} connections (reading {@code /metrics} every
 * second meanwhile); once all have started, let it settle and take the baseline RSS; then let the clients connect at
 * {@code --rate} handshakes per second in total; once all report READY, wait {@code --settle} seconds, read each
 * server's VmRSS and its {@code courier_connections_open} gauge, print a table, tear everything down and write
 * {@code target/bench/connections-<timestamp>.json}.
 *
 * <p>Options: {@code --nodes 1}, {@code --connections 19000} (in total, split evenly over the nodes),
 * {@code --per-client 15000}, {@code --rate 1000}, {@code --warmup 1000}, {@code --warmup-rounds 1} (how many
 * times the warm-up connects and closes its connections), {@code --settle 10},
 * {@code --server-xmx 1g}, {@code --client-xmx 1g}, {@code --deadline 300} (seconds for the connect phase);
 * repeatable, for experiments: {@code --server-flag <jvm flag>} and {@code --server-set <key=value>} (passed to
 * every server JVM), {@code --client-flag <jvm flag>} (passed to every client JVM), and {@code --histo true}:
 * after each RSS reading (baseline and final), run
 * {@code jmap -histo:live} on every server (a full GC, so the RSS of such a run is not comparable), print the
 * live heap per connection and keep the histograms in {@code target/bench/}; {@code --jcmd <command>}: after
 * each RSS reading, run {@code jcmd <pid> <command>} on every server and print its output (for example
 * {@code GC.heap_info}, or {@code VM.native_memory summary} with {@code --server-flag
 * -XX:NativeMemoryTracking=summary}); {@code --gc-before-rss true}: a full GC ({@code jcmd <pid> GC.run}) on every
 * server before each RSS reading. Every server runs with {@link #PRODUCTION_HEAP_FLAGS} before the
 * {@code --server-flag}s; servers are stopped with SIGTERM.
 */
public final class ConnectionBench {
  private static final Pattern READY = Pattern.compile("READY opened=(\\d+) failed=(\\d+) closed=(\\d+) millis=(\\d+)");
  /**
   * The production image's heap flags ({@code docker/Dockerfile}): after 30 s without a GC the JVM runs a concurrent
   * cycle and gives heap above 20% free back to the OS. Passed before {@code --server-flag}s, which may override them
   * (the last occurrence of a JVM flag wins; {@code -XX:G1PeriodicGCInterval=0} turns the periodic GC off).
   */
  public static final List<String> PRODUCTION_HEAP_FLAGS = List.of("-XX:G1PeriodicGCInterval=30000",
      "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20");
  /**
   * Client JVMs compile with C1 only and collect with the parallel collector. A client lives for one run and its
   * connect loop is simple, so C2's compiles (~60% of a client JVM's CPU while connecting, most of it start-up)
   * bought nothing but CPU taken from the server on this shared box; even after the clients' own warm-up a C2
   * client took more CPU per handshake (0.25 ms against 0.16 ms, one run each). G1 was ~10% of a client's samples;
   * the parallel collector, which has no concurrent work and cheaper write barriers, took its CPU per handshake
   * from 0.14 to 0.13 ms.
   */
  static final List<String> CLIENT_JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseParallelGC");
  /** One client for every {@code /metrics} read: its kept-alive connection is one socket on the server, not one each. */
  private static final HttpClient METRICS_CLIENT = HttpClient.newHttpClient();
  /** {@code /proc/<pid>/stat} counts CPU time in clock ticks of 1/100 s. */
  private static final long CLOCK_TICKS = 100;

  private ConnectionBench() {
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Path out = Path.of("target", "bench");
    Files.createDirectories(out);
    String stamp = Instant.now().toString().replace(":", "").replace(".", "");
    List<ServerProcess> servers = new ArrayList<>();
    List<Client> clients = new ArrayList<>();
    BenchCluster cluster = null;
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      TestTokens tokens = TestTokens.generate();
      List<String> sets = new ArrayList<>(List.of("redis.url=" + redis.url(), "server.instances=2"));
      sets.addAll(List.of(tokens.serverOverrides()));
      sets.addAll(o.serverSets);
      if (o.nodes > 1) {
        cluster = BenchCluster.start();
        sets.addAll(cluster.settings());
      }
      for (int n = 0; n < o.nodes; n++) {
        ServerProcess.Builder builder = ServerProcess.builder().jvmFlag("-Xmx" + o.serverXmx)
            .set("dataDir=" + Files.createTempDirectory("courier-bench-node-"));
        PRODUCTION_HEAP_FLAGS.forEach(builder::jvmFlag);
        o.serverFlags.forEach(builder::jvmFlag);
        sets.forEach(builder::set);
        servers.add(builder.build().start());
        System.out.println("node " + n + " listening on " + servers.get(n).baseUri() + " pid " + pid(servers.get(n)));
      }

      int perNode = o.connections / o.nodes;
      int warmupTotal = o.warmup * o.nodes;
      int devices = perNode * o.nodes + warmupTotal;
      long t0 = System.nanoTime();
      redis.command("EVAL", "for i = tonumber(ARGV[1]), tonumber(ARGV[2]) do "
          + "redis.call('HSET', 'devices:{u:bench-' .. i .. '}', '1', '{}') end return 1", "0", "0",
          Integer.toString(devices - 1));
      Path tokenFile = out.resolve("tokens-" + stamp + ".txt");
      long exp = System.currentTimeMillis() / 1000 + 3 * 3600;
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < devices; i++) {
        lines.append(tokens.es256(TestTokens.claims("bench-" + i, 1, exp))).append('\n');
      }
      Files.writeString(tokenFile, lines);
      System.out.printf("%d devices and tokens in %d ms%n", devices, ms(t0));

      // The client JVMs start first and warm up: each opens and closes its share of its node's o.warmup
      // connections, o.warmupRounds times (later rounds reuse the first round's devices and tokens), so that the
      // server and the clients themselves have compiled their code before the baseline. Meanwhile /metrics is
      // scraped every second, as Prometheus scrapes a server in service: without it the first scrape, the
      // baseline's, took HTTP paths the compiled handshake code had never seen, and C2 recompiled ~80 of its
      // methods during the measured burst.
      ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "metrics-scraper");
        thread.setDaemon(true);
        return thread;
      });
      scraper.scheduleWithFixedDelay(() -> scrapeAll(servers), 0, 1, TimeUnit.SECONDS);
      int clientsPerNode = (perNode + o.perClient - 1) / o.perClient;
      int ratePerClient = Math.max(1, o.rate / (clientsPerNode * o.nodes));
      int warmRate = Math.max(1, Math.min(o.rate, 500) / clientsPerNode);
      int index = 0;
      long startSeconds = 60;
      for (int n = 0; n < o.nodes; n++) {
        int left = perNode;
        int warmIndex = perNode * o.nodes + n * o.warmup;
        for (int c = 0; c < clientsPerNode; c++) {
          int count = Math.min(o.perClient, (perNode + clientsPerNode - 1) / clientsPerNode);
          count = Math.min(count, left);
          left -= count;
          int warmCount = o.warmup / clientsPerNode + (c == clientsPerNode - 1 ? o.warmup % clientsPerNode : 0);
          Warmup warmup = new Warmup(warmIndex, warmCount, o.warmupRounds, warmRate);
          warmIndex += warmCount;
          startSeconds = Math.max(startSeconds, 60 + o.warmupRounds * (warmCount / warmRate + 60L));
          String local = "127.0.0." + (2 + clients.size());
          clients.add(Client.start(o, servers.get(n), n, local, tokenFile, index, count, ratePerClient, warmup));
          index += count;
        }
      }
      // The client JVMs' start-up and warm-up are outside the window: they connect when told to.
      for (Client c : clients) {
        c.awaitStarted(startSeconds);
      }
      scraper.shutdownNow();
      Thread.sleep(TimeUnit.SECONDS.toMillis(o.settleSeconds));
      long[] baseline = new long[o.nodes];
      fullGcIfAsked(o, servers);
      for (int n = 0; n < o.nodes; n++) {
        baseline[n] = rssKb(servers.get(n));
        System.out.printf("node %d baseline: RSS %d MiB, courier_connections_open %d%n", n, baseline[n] / 1024,
            gauge(servers.get(n)));
        jcmds(o, servers.get(n));
      }
      long[] liveBase = new long[o.nodes];
      for (int n = 0; n < o.nodes && o.histo; n++) {
        liveBase[n] = liveHeap(servers.get(n), out.resolve("histo-" + stamp + "-node" + n + "-base.txt"));
        System.out.printf("node %d baseline: live heap %d KiB%n", n, liveBase[n] / 1024);
      }

      // the measurement
      long connectStart = System.nanoTime();
      long redisPid = ChatBench.redisPid(redis);
      long serverTicks = serverTicks(servers);
      long redisTicks = ChatBench.Usage.ticks(redisPid);
      long clientTicks = clients.stream().mapToLong(c -> ChatBench.Usage.ticks(c.process.pid())).sum();
      for (Client c : clients) {
        c.go();
      }
      int opened = 0;
      int failed = 0;
      long connectMillis = 0;
      for (Client c : clients) {
        c.awaitReady(o.deadlineSeconds + 60);
        opened += c.opened;
        failed += c.failed;
        connectMillis = Math.max(connectMillis, c.millis);
      }
      // from the clients' own clocks (first connect to last handshake)
      double connectSeconds = connectMillis / 1000.0;
      double wallSeconds = (System.nanoTime() - connectStart) / 1e9;
      double serverCpu = (serverTicks(servers) - serverTicks) / (double) CLOCK_TICKS;
      double redisCpu = (ChatBench.Usage.ticks(redisPid) - redisTicks) / (double) CLOCK_TICKS;
      double clientCpu = (clients.stream().mapToLong(c -> ChatBench.Usage.ticks(c.process.pid())).sum()
          - clientTicks) / (double) CLOCK_TICKS;
      System.out.printf("clients READY: opened %d, failed %d in %.1f s (%.0f handshakes/s)%n", opened, failed,
          connectSeconds, opened / connectSeconds);
      System.out.printf("CPU while connecting (%.1f s; %% of one core, 200%% = this machine): servers %.0f%% (%.2f ms"
          + " per handshake), redis %.0f%% (%.2f ms), client JVMs %.0f%% (%.2f ms)%n",
          wallSeconds, 100 * serverCpu / wallSeconds, 1000 * serverCpu / Math.max(1, opened),
          100 * redisCpu / wallSeconds, 1000 * redisCpu / Math.max(1, opened), 100 * clientCpu / wallSeconds,
          1000 * clientCpu / Math.max(1, opened));
      Thread.sleep(TimeUnit.SECONDS.toMillis(o.settleSeconds));

      fullGcIfAsked(o, servers);
      JsonArray nodes = new JsonArray();
      System.out.println();
      System.out.printf("%-5s %10s %12s %12s %12s %14s%n", "node", "held", "RSS base", "RSS now", "RSS delta",
          "delta/conn");
      long totalHeld = 0;
      long totalDelta = 0;
      for (int n = 0; n < o.nodes; n++) {
        ServerProcess s = servers.get(n);
        long rss = rssKb(s);
        long held = gauge(s);
        long delta = rss - baseline[n];
        totalHeld += held;
        totalDelta += delta;
        System.out.printf("%-5d %10d %9d MiB %9d MiB %9d MiB %11.1f KiB%n", n, held, baseline[n] / 1024, rss / 1024,
            delta / 1024, held == 0 ? 0.0 : (double) delta / held);
        nodes.add(new JsonObject().put("node", n).put("pid", pid(s)).put("connectionsOpen", held)
            .put("rssBaselineKiB", baseline[n]).put("rssKiB", rss).put("rssDeltaKiB", delta)
            .put("rssDeltaPerConnectionKiB", held == 0 ? 0.0 : (double) delta / held));
      }
      System.out.printf("total %9d %39s %11.1f KiB%n", totalHeld, "", totalHeld == 0 ? 0.0
          : (double) totalDelta / totalHeld);
      for (int n = 0; n < o.nodes; n++) {
        System.out.println("node " + n + ":");
        jcmds(o, servers.get(n));
      }
      for (int n = 0; n < o.nodes && o.histo; n++) {
        ServerProcess s = servers.get(n);
        long held = gauge(s);
        long live = liveHeap(s, out.resolve("histo-" + stamp + "-node" + n + ".txt"));
        System.out.printf("node %d live heap %d KiB (baseline %d KiB): %.0f bytes per connection%n", n,
            live / 1024, liveBase[n] / 1024, held == 0 ? 0.0 : (double) (live - liveBase[n]) / held);
      }
      long clientRss = 0;
      for (Client c : clients) {
        clientRss += c.rssKb();
      }
      System.out.printf("client JVMs: %d, RSS together %d MiB%n", clients.size(), clientRss / 1024);

      JsonObject result = new JsonObject().put("timestamp", Instant.now().toString())
          .put("nodes", o.nodes).put("connectionsRequested", perNode * o.nodes).put("opened", opened)
          .put("failed", failed).put("held", totalHeld).put("connectSeconds", connectSeconds)
          .put("handshakesPerSecond", opened / connectSeconds).put("rateLimit", o.rate)
          .put("connectCpuSeconds", new JsonObject().put("wall", wallSeconds).put("servers", serverCpu)
              .put("redis", redisCpu).put("clients", clientCpu))
          .put("clients", clients.size()).put("clientRssKiB", clientRss).put("warmupPerNode", o.warmup).put("warmupRounds", o.warmupRounds)
          .put("settleSeconds", o.settleSeconds).put("serverXmx", o.serverXmx).put("gcBeforeRss", o.gcBeforeRss)
          .put("productionHeapFlags", new JsonArray(new ArrayList<>(PRODUCTION_HEAP_FLAGS)))
          .put("serverFlags", new JsonArray(new ArrayList<>(o.serverFlags)))
          .put("clientFlags", new JsonArray(new ArrayList<>(o.clientFlags)))
          .put("serverSets", new JsonArray(new ArrayList<>(o.serverSets)))
          .put("java", System.getProperty("java.vm.version")).put("perNode", nodes);
      Path file = out.resolve("connections-" + stamp + ".json");
      Files.writeString(file, result.encodePrettily());
      System.out.println("result: " + file);
      Files.deleteIfExists(tokenFile);
    } finally {
      for (Client c : clients) {
        c.close();
      }
      for (ServerProcess s : servers) {
        stop(s);
      }
      if (cluster != null) {
        cluster.close();
      }
    }
    System.exit(0);
  }

  /**
   * SIGTERM, as in production (a profiler agent writes its output at exit), and SIGKILL if that takes longer than
   * {@code ServerProcess}'s stop timeout.
   */
  private static void stop(ServerProcess server) {
    try {
      server.terminate();
    } catch (AssertionError | RuntimeException e) {
      System.out.println("server did not stop on SIGTERM: " + e.getMessage().lines().findFirst().orElse(""));
      server.close();
    }
  }

  private static long serverTicks(List<ServerProcess> servers) {
    return servers.stream().mapToLong(s -> ChatBench.Usage.ticks(pid(s))).sum();
  }

  private static long ms(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** The server JVM's pid: the listening port's owner is the only child process with that command line. */
  static long pid(ServerProcess server) {
    String port = "server.port=" + server.port();
    return ProcessHandle.current().children()
        .filter(p -> cmdline(p.pid()).contains(port))
        .findFirst().orElseThrow(() -> new IllegalStateException("no child process with " + port)).pid();
  }

  private static List<String> cmdline(long pid) {
    try {
      return List.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")),
          StandardCharsets.UTF_8).split("\0"));
    } catch (IOException e) {
      return List.of();
    }
  }

  static long rssKb(ServerProcess server) throws IOException {
    return rssKb(pid(server));
  }

  static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for " + pid);
  }

  /** Runs {@code jmap -histo:live} (a full GC) on the server, keeps the output in {@code file}, returns the live bytes. */
  static long liveHeap(ServerProcess server, Path file) throws IOException, InterruptedException {
    Path jmap = Path.of(System.getProperty("java.home"), "bin", "jmap");
    Process p = new ProcessBuilder(jmap.toString(), "-histo:live", Long.toString(pid(server)))
        .redirectErrorStream(true).redirectOutput(file.toFile()).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("jmap did not finish in 120 s");
    }
    List<String> lines = Files.readAllLines(file);
    for (int i = lines.size() - 1; i >= 0; i--) {
      String line = lines.get(i).trim();
      if (line.startsWith("Total")) {
        String[] parts = line.split("\\s+");
        return Long.parseLong(parts[2]);
      }
    }
    throw new IllegalStateException("no Total line in " + file);
  }

  /**
   * With {@code --gc-before-rss true}: {@code jcmd <pid> GC.run} (a full GC, after which G1 shrinks the heap to
   * {@code MaxHeapFreeRatio}) on every server, then 2 s for the uncommit, so the RSS reading shows the heap the
   * live data needs rather than how far the connect burst grew it.
   */
  static void fullGcIfAsked(Options o, List<ServerProcess> servers) throws IOException, InterruptedException {
    if (!o.gcBeforeRss) {
      return;
    }
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    for (ServerProcess s : servers) {
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid(s)), "GC.run").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("jcmd GC.run did not finish in 120 s");
      }
    }
    Thread.sleep(2_000);
  }

  /** Runs every {@code --jcmd} command on the server and prints its output, indented. */
  static void jcmds(Options o, ServerProcess server) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    for (String command : o.jcmds) {
      List<String> line = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid(server))));
      line.addAll(List.of(command.trim().split("\\s+")));
      Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(60, TimeUnit.SECONDS);
      System.out.println("  jcmd " + command + ":");
      text.lines().forEach(l -> System.out.println("    " + l));
    }
  }

  private static void scrapeAll(List<ServerProcess> servers) {
    for (ServerProcess server : servers) {
      try {
        gauge(server);
      } catch (IOException e) {
        return;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static long gauge(ServerProcess server) throws IOException, InterruptedException {
    return (long) metric(server.baseUri(), "courier_connections_open");
  }

  /** The value of the first series of the metric {@code name} (Prometheus name) on the server's /metrics, or -1. */
  static double metric(URI server, String name) throws IOException, InterruptedException {
    return metric(metrics(server), name);
  }

  /** The same, read from a {@code /metrics} text already fetched. */
  static double metric(String scrape, String name) {
    Pattern series = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$");
    Matcher m = series.matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  /** The server's {@code /metrics} text. */
  static String metrics(URI server) throws IOException, InterruptedException {
    return METRICS_CLIENT.send(
        HttpRequest.newBuilder(server.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  /** A client's warm-up: tokens {@code from .. from+count-1} opened at {@code rate}/s and closed, {@code rounds} times. */
  record Warmup(int from, int count, int rounds, int rate) {}

  /** One client JVM and the lines it prints. */
  static final class Client {
    final Process process;
    final String name;
    volatile boolean started;
    volatile int opened = -1;
    volatile int failed = -1;
    volatile long millis;

    private Client(Process process, String name) {
      this.process = process;
      this.name = name;
    }

    static Client start(Options o, ServerProcess server, int node, String local, Path tokens, int from, int count,
        int rate, Warmup warmup) throws IOException {
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
          .toString(), "-Xmx" + o.clientXmx));
      command.addAll(CLIENT_JVM_FLAGS);
      command.addAll(o.clientFlags);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), ConnectionBenchClient.class.getName(),
          "127.0.0.1", Integer.toString(server.port()), local, tokens.toString(), Integer.toString(from),
          Integer.toString(count), Integer.toString(rate), Integer.toString(o.deadlineSeconds), "3600",
          Integer.toString(warmup.from()), Integer.toString(warmup.count()), Integer.toString(warmup.rounds()),
          Integer.toString(warmup.rate())));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      Client client = new Client(p, "client " + local + " -> node " + node + " [" + from + ", +" + count + ")");
      System.out.println(client.name + " pid " + p.pid() + " at " + rate + "/s, warm-up " + warmup);
      Thread reader = new Thread(client::follow, client.name);
      reader.setDaemon(true);
      reader.start();
      return client;
    }

    private void follow() {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          started |= line.equals("STARTED");
          Matcher m = READY.matcher(line);
          if (m.find()) {
            millis = Long.parseLong(m.group(4));
            failed = Integer.parseInt(m.group(2));
            opened = Integer.parseInt(m.group(1));
          }
          System.out.println("  [" + name + "] " + line);
        }
      } catch (IOException e) {
        // the process is gone
      }
    }

    void awaitStarted(long seconds) throws InterruptedException {
      await(() -> started, "start", seconds);
    }

    /** Lets a started client connect. */
    void go() throws IOException {
      tell("go");
    }

    void awaitReady(long seconds) throws InterruptedException {
      await(() -> opened >= 0, "report READY", seconds);
    }

    /** Waits until {@code reached}, the process ends or {@code seconds} pass; fails unless reached. */
    private void await(BooleanSupplier reached, String what, long seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (!reached.getAsBoolean() && process.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      if (!reached.getAsBoolean()) {
        throw new IllegalStateException(name + " did not " + what + " (alive: " + process.isAlive() + ")");
      }
    }

    private void tell(String command) throws IOException {
      OutputStream stdin = process.getOutputStream();
      stdin.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
      stdin.flush();
    }

    long rssKb() throws IOException {
      return process.isAlive() ? ConnectionBench.rssKb(process.pid()) : 0;
    }

    void close() throws InterruptedException {
      if (process.isAlive()) {
        try {
          tell("close");
        } catch (IOException e) {
          // already exiting
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** Command-line options; see the class comment for the defaults. */
  record Options(int nodes, int connections, int perClient, int rate, int warmup, int warmupRounds, int settleSeconds,
      String serverXmx, String clientXmx, int deadlineSeconds, List<String> serverFlags, List<String> serverSets,
      List<String> clientFlags, boolean histo, List<String> jcmds, boolean gcBeforeRss) {
    static Options parse(String[] args) {
      int nodes = 1;
      int connections = 19_000;
      int perClient = 15_000;
      int rate = 1_000;
      int warmup = 1_000;
      int warmupRounds = 1;
      int settle = 10;
      String serverXmx = "1g";
      String clientXmx = "1g";
      int deadline = 300;
      List<String> serverFlags = new ArrayList<>();
      List<String> serverSets = new ArrayList<>();
      List<String> clientFlags = new ArrayList<>();
      boolean histo = false;
      List<String> jcmds = new ArrayList<>();
      boolean gcBeforeRss = false;
      for (int i = 0; i < args.length; i += 2) {
        String value = args[i + 1];
        switch (args[i]) {
          case "--nodes" -> nodes = Integer.parseInt(value);
          case "--connections" -> connections = Integer.parseInt(value);
          case "--per-client" -> perClient = Integer.parseInt(value);
          case "--rate" -> rate = Integer.parseInt(value);
          case "--warmup" -> warmup = Integer.parseInt(value);
          case "--warmup-rounds" -> warmupRounds = Integer.parseInt(value);
          case "--settle" -> settle = Integer.parseInt(value);
          case "--server-xmx" -> serverXmx = value;
          case "--client-xmx" -> clientXmx = value;
          case "--deadline" -> deadline = Integer.parseInt(value);
          case "--server-flag" -> serverFlags.add(value);
          case "--server-set" -> serverSets.add(value);
          case "--client-flag" -> clientFlags.add(value);
          case "--histo" -> histo = Boolean.parseBoolean(value);
          case "--jcmd" -> jcmds.add(value);
          case "--gc-before-rss" -> gcBeforeRss = Boolean.parseBoolean(value);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (perClient > 19_000) {
        throw new IllegalArgumentException("--per-client above 19000 does not fit the 20,000 open-file limit");
      }
      return new Options(nodes, connections, perClient, rate, warmup, warmupRounds, settle, serverXmx, clientXmx, deadline,
          List.copyOf(serverFlags), List.copyOf(serverSets), List.copyOf(clientFlags), histo, List.copyOf(jcmds),
          gcBeforeRss);
    }
  }
}
