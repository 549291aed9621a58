package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.courier.client.AccountApi;
import io.courier.client.ClientListener;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.IncomingMessage;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.media.EmbeddedS3;
import io.courier.testing.FreePort;
import io.courier.testing.HaproxyProcess;
import io.courier.testing.Poll;
import io.courier.testing.RedisProcess;
import io.courier.testing.RespConnection;
import io.courier.testing.ServerProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestIds;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The production shape on loopback: three server processes clustered with Hazelcast, behind HAProxy running
 * {@code docker/haproxy.cfg} (the compose file's balancer, with loopback addresses and short health checks), the
 * nodes running {@code docker/config/cluster-node.yaml} (with the container paths overridden), sharing one
 * {@code redis-server} and one S3 store (S3Proxy in this JVM).
 *
 * <p>The chat tests connect {@value #PAIRS} pairs of SDK clients through HAProxy; each client sends
 * {@value #MESSAGES_PER_CLIENT} messages to its partner, one every {@link #SEND_INTERVAL}, and one node is killed
 * (SIGKILL) or stopped (SIGTERM) while they do. Every message answered {@code sent} must reach its recipient's
 * app exactly once and in the order it was sent, every client of the lost node must reconnect through HAProxy to
 * another node, and every mailbox must end empty (all acks and receipts went through). They print the figures:
 * how long HAProxy took to mark the node down, the reconnect times (from the kill to each affected client's next
 * {@code onConnected}), the delivery counts, and the live delivery latency for sender and recipient on the same
 * node and on different nodes (from a timestamp in the payload; the clients share this JVM's clock).
 *
 * @implNote Skipped (JUnit assumption) where no {@code haproxy} binary exists; {@code .ci/run} installs Debian's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancedClusterTest {
  static final int PAIRS = 100;
  static final int MESSAGES_PER_CLIENT = 10;
  static final Duration SEND_INTERVAL = Duration.ofMillis(300);
  /** HAProxy's health-check interval here (compose: 2 s); two failures mark a node down, one success up. */
  static final String CHECK_INTER = "200ms";
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Path HAPROXY_CFG = Path.of("docker/haproxy.cfg");
  static final Path NODE_CONFIG = Path.of("docker/config/cluster-node.yaml");
  static final String BACKEND = "courier_nodes";

  static RedisProcess redis;
  static EmbeddedS3 s3;
  static final List<ServerProcess> nodes = new ArrayList<>();
  static HaproxyProcess haproxy;
  static Vertx vertx;
  static AccountApi api;
  static TestAccounts accounts;
  static WebClient http;
  /** The cluster node id of each node process, learned in {@link #everyNodeRunsAndBalancerSeesItUp()}. */
  static final String[] nodeIds = new String[3];

  @BeforeAll
  static void startCluster() throws Exception {
    assumeTrue(HaproxyProcess.find().isPresent(), "no haproxy binary (Debian package 'haproxy')");
    redis = RedisProcess.builder().build().start();
    s3 = EmbeddedS3.start(Files.createTempDirectory("courier-s3-"), 8 * 1024 * 1024, List.of());
    Path secrets = Files.createTempDirectory("courier-secrets-");
    Path access = Files.writeString(secrets.resolve("s3_access_key"), s3.accessKey());
    Path secret = Files.writeString(secrets.resolve("s3_secret_key"), s3.secretKey());
    TestTokens keys = TestTokens.generate();
    int balancerPort = FreePort.pick();
    int[] hazelcastPorts = IntStream.range(0, 3).map(i -> FreePort.pick()).toArray();
    String members = String.join(",", IntStream.of(hazelcastPorts).mapToObj(p -> "127.0.0.1:" + p).toList());
    String clusterName = "lb-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      ServerProcess.Builder node = ServerProcess.builder()
          .config(NODE_CONFIG.toString())
          .jvmFlag("-Xmx256m")
          // Short-lived JVMs on a small machine: C1 only starts faster and leaves the cores to the traffic.
          .jvmFlag("-XX:TieredStopAtLevel=1")
          .jvmFlag("-XX:+UseSerialGC")
          // what compose sets per service, with loopback addresses
          .env("COURIER_CLUSTER_HOST", "127.0.0.1")
          .env("COURIER_CLUSTER_MEMBERS", members)
          .env("COURIER_CLUSTER_NAME", clusterName)
          .env("COURIER_REDIS_URL", redis.url())
          .env("COURIER_MEDIA_ENDPOINT", s3.endpoint())
          .env("COURIER_PUBLIC_URL", "http://127.0.0.1:" + balancerPort)
          .env("COURIER_TRUSTED_PROXIES", "127.0.0.1")
          // what the containers have and this machine has not: /run/secrets, names in the Docker network, and
          // a host of their own (here the nodes share one, so each gets its own ports)
          .set("server.host=127.0.0.1")
          .set("cluster.port=" + hazelcastPorts[i])
          .set("media.accessKey=file:" + access)
          .set("media.secretKey=file:" + secret)
          .set("auth.bcryptCost=4")
          // Every test client comes from 127.0.0.1 (through HAProxy, which these nodes trust: trustedProxies).
          .set("limits.registrationsPerMinute=100000");
      for (String override : keys.serverOverrides()) {
        node.set(override);
      }
      nodes.add(node.build());
    }
    // The first node forms the cluster; the other two join it together (each start returns once the node has
    // joined and listens).
    nodes.get(0).start();
    CompletableFuture.allOf(CompletableFuture.runAsync(nodes.get(1)::start),
        CompletableFuture.runAsync(nodes.get(2)::start)).get(2 * ServerProcess.DEFAULT_START_TIMEOUT.toSeconds(),
        TimeUnit.SECONDS);
    haproxy = HaproxyProcess.builder(HAPROXY_CFG)
        .port(balancerPort)
        .bindVariable("COURIER_BIND")
        .statsSocketVariable("HAPROXY_STATS_SOCKET")
        .env("NODE1", "127.0.0.1:" + nodes.get(0).port())
        .env("NODE2", "127.0.0.1:" + nodes.get(1).port())
        .env("NODE3", "127.0.0.1:" + nodes.get(2).port())
        .env("MINIO", URI.create(s3.endpoint()).getAuthority())
        .env("DNS_NAMESERVER", "127.0.0.1:" + FreePort.pick())
        .env("CHECK_INTER", CHECK_INTER)
        .env("CHECK_FALL", "2")
        .env("CHECK_RISE", "1")
        .env("HAPROXY_MAXCONN", "4000")
        .build()
        .start();
    vertx = Vertx.vertx();
    api = new AccountApi(vertx, URI.create(haproxy.baseUri()));
    accounts = new TestAccounts(vertx, haproxy.baseUri());
    http = WebClient.create(vertx);
  }

  @AfterAll
  static void stopCluster() {
    if (vertx != null) {
      vertx.close();
    }
    if (haproxy != null) {
      haproxy.close();
    }
    nodes.forEach(ServerProcess::close);
    if (s3 != null) {
      s3.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Restarts a node an earlier test took down, and checks that the three form one cluster behind HAProxy. */
  @BeforeEach
  void everyNodeRunsAndBalancerSeesItUp() {
    for (ServerProcess node : nodes) {
      if (!node.isRunning()) {
        node.start();
      }
    }
    Poll.until(WAIT, () -> IntStream.rangeClosed(1, 3).allMatch(n -> haproxy.serverStatus(BACKEND, "n" + n)
        .equals("UP")), () -> "HAProxy sees n1, n2 and n3 UP: " + haproxy.servers(BACKEND).stream()
        .map(n -> n + " " + haproxy.serverStatus(BACKEND, n)).toList());
    // A message around the ring n1 -> n2 -> n3 -> n1, each delivered live: one cluster, not three.
    Session[] probes = new Session[3];
    WireClient[] wires = new WireClient[3];
    try {
      for (int i = 0; i < 3; i++) {
        probes[i] = accounts.register("probe");
        wires[i] = WireClient.connect(vertx, nodes.get(i).port(), probes[i].accessToken());
        wires[i].expect("drained");
        nodeIds[i] = nodeIdOf(routeOf(probes[i]));
      }
      for (int i = 0; i < 3; i++) {
        Session to = probes[(i + 1) % 3];
        wires[i].send(OneToOneChatTest.sendFrame("ring-" + i, to.account(), to.device(), "ring"));
        wires[i].expect("sent");
        assertThat(wires[(i + 1) % 3].expect("message").getString("id")).isEqualTo("ring-" + i);
      }
    } finally {
      for (WireClient wire : wires) {
        if (wire != null) {
          wire.close();
        }
      }
    }
  }

  @Test
  @Order(2)
  void everyMessageSentArrivesOnceAndInOrderWhenANodeIsKilledMidTraffic() {
    try (Load load = Load.connect(PAIRS)) {
      int victim = load.busiestNode();
      load.startTraffic();
      Poll.until(WAIT, () -> load.issued.get() >= load.total() * 2 / 5, () -> "40% of the messages were sent");
      load.markDisruption(victim);
      nodes.get(victim).kill();
      Poll.until(WAIT, () -> haproxy.serverStatus(BACKEND, nodeName(victim)).startsWith("DOWN"),
          () -> "HAProxy marks " + nodeName(victim) + " down");
      long markedDownMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - load.disruptionNanos);

      load.awaitEverythingDelivered();
      load.report("kill -9 of " + nodeName(victim) + "; HAProxy marked it DOWN after " + markedDownMillis
          + " ms (checks every " + CHECK_INTER + ", fall 2)");
      load.assertExactlyOnceInOrder();
      load.assertClientsOfTheLostNodeMovedElsewhere();
    }
  }

  @Test
  @Order(3)
  void aNodeStoppedWithSigtermClosesWith1001AndItsClientsMoveWithoutLosingMessages() {
    try (Load load = Load.connect(PAIRS)) {
      int victim = load.busiestNode();
      load.startTraffic();
      Poll.until(WAIT, () -> load.issued.get() >= load.total() * 2 / 5, () -> "40% of the messages were sent");
      load.markDisruption(victim);
      nodes.get(victim).terminate();
      long exitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - load.disruptionNanos);

      load.awaitEverythingDelivered();
      load.report("SIGTERM of " + nodeName(victim) + "; the process exited after " + exitedMillis + " ms");
      load.assertExactlyOnceInOrder();
      load.assertClientsOfTheLostNodeMovedElsewhere();
      for (Chatter c : load.onVictim) {
        assertThat(c.closesAfter(load.disruptionNanos)).as(c.name() + ": the first close after SIGTERM")
            .first().isEqualTo(1001);
      }
    }
  }

  @Test
  @Order(1)
  void attachmentsGoUpAndComeDownThroughTheBalancerAndMetricsStayInside() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    byte[] file = new byte[100_000];
    new Random(7).nextBytes(file);
    JsonObject upload = api(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", file.length));
    JsonObject part = upload.getJsonArray("parts").getJsonObject(0);
    assertThat(part.getString("url")).startsWith(haproxy.baseUri() + "/courier-attachments");
    MultipartForm form = MultipartForm.create();
    part.getJsonObject("fields").forEach(field -> form.attribute(field.getKey(), (String) field.getValue()));
    form.binaryFileUpload("file", "part", Buffer.buffer(file), "application/octet-stream");
    assertThat(WireClient.await(http.postAbs(part.getString("url")).sendMultipartForm(form)).statusCode())
        .isEqualTo(204);
    api(HttpMethod.POST, "/v1/attachments/" + upload.getString("id") + "/complete", alice, null);

    JsonObject download = api(HttpMethod.GET, "/v1/attachments/" + upload.getString("id"), bob, null);
    String url = download.getJsonArray("parts").getJsonObject(0).getString("url");
    assertThat(url).startsWith(haproxy.baseUri() + "/courier-attachments/");
    HttpResponse<Buffer> got = WireClient.await(http.getAbs(url).send());
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.body().getBytes()).isEqualTo(file);

    assertThat(WireClient.await(http.getAbs(haproxy.baseUri() + "/metrics").send()).statusCode()).isEqualTo(403);
    assertThat(WireClient.await(http.getAbs(haproxy.baseUri() + "/health/ready").send()).statusCode())
        .isEqualTo(200);
  }

  // ------------------------------------------------------------------------------------------ the chat load

  /** What one SDK client sent, what reached its app, and when its socket closed and opened again. */
  static final class Chatter implements ClientListener {
    final Session session;
    final Load load;
    Chatter partner;
    CourierClient client;
    final AtomicInteger nextSeq = new AtomicInteger();
    /** Sequence numbers answered {@code sent}. */
    final List<Integer> sent = Collections.synchronizedList(new ArrayList<>());
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    /** Sequence numbers from the partner, in the order the app got them. */
    final List<Integer> received = Collections.synchronizedList(new ArrayList<>());
    /** {nanoTime, close code} of every close. */
    final List<long[]> closes = Collections.synchronizedList(new ArrayList<>());
    final List<Long> connects = Collections.synchronizedList(new ArrayList<>());
    /** The node that holds the socket now (index into {@link #nodes}), -1 while unknown. */
    volatile int node = -1;

    Chatter(Session session, Load load) {
      this.session = session;
      this.load = load;
    }

    String name() {
      return session.account();
    }

    @Override
    public void onConnected() {
      connects.add(System.nanoTime());
    }

    @Override
    public void onDrained() {
      // The route is written before the server sends `drained`: look it up off the event loop.
      int connection = connects.size();
      load.lookups.execute(() -> {
        int found = nodeIndex(nodeIdOf(load.route(session)));
        if (connects.size() == connection && client.isConnected()) {
          node = found;
        }
      });
    }

    @Override
    public void onClosed(int code, String reason, boolean willReconnect) {
      node = -1;
      closes.add(new long[] {System.nanoTime(), code});
    }

    @Override
    public void onMessage(IncomingMessage message) {
      long now = System.nanoTime();
      String[] payload = new String(message.ciphertext(), StandardCharsets.UTF_8).split(":");
      received.add(Integer.parseInt(payload[0]));
      load.latency(Long.parseLong(payload[1]), now, Integer.parseInt(payload[2]), node);
    }

    List<Integer> closesAfter(long nanos) {
      synchronized (closes) {
        return closes.stream().filter(c -> c[0] >= nanos).map(c -> (int) c[1]).toList();
      }
    }

    /** Nanoseconds from {@code nanos} to the first {@code onConnected} after it, or -1. */
    long reconnectedAfter(long nanos) {
      synchronized (connects) {
        return connects.stream().filter(t -> t >= nanos).findFirst().map(t -> t - nanos).orElse(-1L);
      }
    }

    void sendNext() {
      int seq = nextSeq.getAndIncrement();
      String payload = seq + ":" + System.nanoTime() + ":" + node;
      load.issued.incrementAndGet();
      client.send(partner.session.account(), Map.of(partner.session.device(),
              payload.getBytes(StandardCharsets.UTF_8)))
          .onSuccess(s -> sent.add(seq))
          .onFailure(e -> failures.add(seq + ": " + e));
      if (seq + 1 < MESSAGES_PER_CLIENT) {
        vertx.setTimer(SEND_INTERVAL.toMillis(), id -> sendNext());
      }
    }
  }

  /** {@link #PAIRS} pairs of chatters connected through HAProxy, and the figures of one run. */
  static final class Load implements AutoCloseable {
    final List<Chatter> chatters = new ArrayList<>();
    final AtomicInteger issued = new AtomicInteger();
    final ExecutorService lookups = Executors.newSingleThreadExecutor();
    final RespConnection redisForLookups = redis.connect();
    /** {sent, received (nanoTime), sender's node, recipient's node} of every message the apps got. */
    final List<long[]> deliveries = Collections.synchronizedList(new ArrayList<>());
    volatile long disruptionNanos = Long.MAX_VALUE;
    int victim = -1;
    /** The clients whose socket was on the victim when it was taken down. */
    List<Chatter> onVictim = List.of();

    static Load connect(int pairs) {
      List<Session> sessions = new ArrayList<>(registerAll(2 * pairs));
      // Random pairs: clients connected one after the other land on different nodes (leastconn).
      Collections.shuffle(sessions, new Random(42));
      Load load = new Load();
      for (Session session : sessions) {
        load.chatters.add(new Chatter(session, load));
      }
      for (int i = 0; i < load.chatters.size(); i += 2) {
        load.chatters.get(i).partner = load.chatters.get(i + 1);
        load.chatters.get(i + 1).partner = load.chatters.get(i);
      }
      List<Future<Void>> connected = new ArrayList<>();
      for (Chatter c : load.chatters) {
        ClientOptions options = ClientOptions.create(URI.create(haproxy.baseUri()),
                new SessionTokenSource(api, c.session))
            .withListener(c)
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));
        c.client = new CourierClient(vertx, options);
        connected.add(c.client.connect());
      }
      try {
        await(Future.all(connected));
        Poll.until(WAIT, () -> load.chatters.stream().allMatch(c -> c.node >= 0),
            () -> "every client's node is known");
      } catch (RuntimeException | AssertionError e) {
        load.close();
        throw e;
      }
      return load;
    }

    /** Registers and logs in {@code count} accounts through HAProxy, 20 at a time. */
    static List<Session> registerAll(int count) {
      List<Session> sessions = new ArrayList<>();
      for (int start = 0; start < count; start += 20) {
        List<Future<Session>> batch = new ArrayList<>();
        for (int i = start; i < Math.min(count, start + 20); i++) {
          String name = TestIds.unique("lb");
          batch.add(api.register(name, TestAccounts.PASSWORD).compose(v -> api.login(name, TestAccounts.PASSWORD,
              "load")));
        }
        await(Future.all(batch));
        batch.forEach(f -> sessions.add(f.result()));
      }
      return sessions;
    }

    int total() {
      return chatters.size() * MESSAGES_PER_CLIENT;
    }

    Map<Integer, Long> perNode() {
      Map<Integer, Long> count = new LinkedHashMap<>();
      chatters.forEach(c -> count.merge(c.node, 1L, Long::sum));
      return count;
    }

    int busiestNode() {
      return perNode().entrySet().stream().filter(e -> e.getKey() >= 0).max(Map.Entry.comparingByValue())
          .orElseThrow().getKey();
    }

    void startTraffic() {
      for (Chatter c : chatters) {
        vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(SEND_INTERVAL.toMillis()), id -> c.sendNext());
      }
    }

    void markDisruption(int node) {
      victim = node;
      onVictim = chatters.stream().filter(c -> c.node == node).toList();
      System.out.printf("[lb] %s: clients per node before the disruption: %s; %d on %s%n", LocalTime.now().truncatedTo(ChronoUnit.MILLIS),
          named(perNode()), onVictim.size(), nodeName(node));
      disruptionNanos = System.nanoTime();
    }

    void latency(long sentNanos, long receivedNanos, int senderNode, int recipientNode) {
      deliveries.add(new long[] {sentNanos, receivedNanos, senderNode, recipientNode});
    }

    String route(Session session) {
      synchronized (redisForLookups) {
        Object route = redisForLookups.call("HGET", "routes:{u:" + session.account() + "}",
            Integer.toString(session.device()));
        return route == null ? null : route.toString();
      }
    }

    void awaitEverythingDelivered() {
      Poll.until(WAIT, () -> chatters.stream().allMatch(c -> c.sent.size() + c.failures.size()
                == MESSAGES_PER_CLIENT && c.partner.received.containsAll(List.copyOf(c.sent))),
          () -> "every message answered `sent` reached its recipient; sent " + sentCount() + ", received "
              + receivedCount() + ", failed " + failures());
      Poll.until(WAIT, () -> onVictim.stream().allMatch(c -> c.reconnectedAfter(disruptionNanos) >= 0),
          () -> "every client of the lost node reconnected");
      Poll.until(WAIT, () -> chatters.stream().allMatch(c -> c.node >= 0), () -> "every client's node is known");
      Poll.untilValue(WAIT, this::unackedEntries, n -> n == 0,
          () -> "every mailbox is empty: all messages and receipts acked");
    }

    void assertExactlyOnceInOrder() {
      assertThat(failures()).as("sends that failed").isEmpty();
      List<Integer> all = IntStream.range(0, MESSAGES_PER_CLIENT).boxed().toList();
      for (Chatter c : chatters) {
        assertThat(c.sent).as(c.name() + " sent").containsExactlyInAnyOrderElementsOf(all);
        assertThat(c.partner.received).as(c.partner.name() + " got from " + c.name() + ", once each, in order")
            .containsExactlyElementsOf(all);
      }
    }

    void assertClientsOfTheLostNodeMovedElsewhere() {
      assertThat(onVictim).as("clients on the node taken down").isNotEmpty();
      for (Chatter c : onVictim) {
        assertThat(c.closesAfter(disruptionNanos)).as(c.name() + " lost its socket").isNotEmpty();
        assertThat(c.node).as(c.name() + " is on another node now").isNotEqualTo(victim).isNotNegative();
      }
    }

    void report(String what) {
      List<Long> reconnects = onVictim.stream().map(c -> c.reconnectedAfter(disruptionNanos)).sorted().toList();
      long bounced = onVictim.stream().filter(c -> c.closesAfter(disruptionNanos).size() > 1).count();
      Map<Integer, Long> firstCloseCodes = new LinkedHashMap<>();
      onVictim.forEach(c -> firstCloseCodes.merge(c.closesAfter(disruptionNanos).stream().findFirst().orElse(-1), 1L,
          Long::sum));
      StringBuilder out = new StringBuilder();
      out.append(String.format("[lb] %s, %d clients (%d pairs), %d messages each every %d ms%n", what,
          chatters.size(), chatters.size() / 2, MESSAGES_PER_CLIENT, SEND_INTERVAL.toMillis()));
      out.append(String.format("[lb]   %d clients lost their socket (first close codes %s; %d closed again before "
              + "settling); reconnected after p50 %d ms, p99 %d ms, max %d ms%n", reconnects.size(),
          firstCloseCodes, bounced, millis(percentile(reconnects, 50)), millis(percentile(reconnects, 99)),
          millis(percentile(reconnects, 100))));
      out.append(String.format("[lb]   messages: %d sent, %d delivered to the apps (each once, in order), %d failed;"
          + " clients per node now %s%n", sentCount(), receivedCount(), failures().size(), named(perNode())));
      long recovered = disruptionNanos + percentile(reconnects, 100);
      List<long[]> all;
      synchronized (deliveries) {
        all = List.copyOf(deliveries);
      }
      List<long[]> before = all.stream().filter(d -> d[1] < disruptionNanos).toList();
      List<long[]> after = all.stream().filter(d -> d[0] >= recovered).toList();
      out.append(String.format("[lb]   live latency send()->onMessage before the disruption: same node %s; cross node "
          + "%s%n", latencies(before, true), latencies(before, false)));
      out.append(String.format("[lb]   live latency after every client reconnected: same node %s; cross node %s; "
          + "%d messages in between%n", latencies(after, true), latencies(after, false),
          all.size() - before.size() - after.size()));
      System.out.print(out);
    }

    long unackedEntries() {
      try (RespConnection connection = redis.connect()) {
        long total = 0;
        for (Chatter c : chatters) {
          total += (Long) connection.call("XLEN", "mbox:{u:" + c.session.account() + "}:" + c.session.device());
        }
        return total;
      }
    }

    int sentCount() {
      return chatters.stream().mapToInt(c -> c.sent.size()).sum();
    }

    int receivedCount() {
      return chatters.stream().mapToInt(c -> c.received.size()).sum();
    }

    List<String> failures() {
      List<String> all = new ArrayList<>();
      chatters.forEach(c -> all.addAll(c.failures));
      return all;
    }

    @Override
    public void close() {
      await(Future.all(chatters.stream().filter(c -> c.client != null).map(c -> c.client.close()).toList()));
      lookups.shutdown();
      redisForLookups.close();
    }
  }

  // ------------------------------------------------------------------------------------------ helpers

  static String nodeName(int index) {
    return "n" + (index + 1);
  }

  static int nodeIndex(String nodeId) {
    for (int i = 0; i < nodeIds.length; i++) {
      if (nodeIds[i] != null && nodeIds[i].equals(nodeId)) {
        return i;
      }
    }
    return -1;
  }

  static String routeOf(Session session) {
    Object route = redis.command("HGET", "routes:{u:" + session.account() + "}", Integer.toString(session.device()));
    return route == null ? null : route.toString();
  }

  /** A route is {@code "<node id> <epoch>"}. */
  static String nodeIdOf(String route) {
    return route == null ? null : route.substring(0, route.indexOf(' '));
  }

  static Map<String, Long> named(Map<Integer, Long> perNode) {
    Map<String, Long> named = new LinkedHashMap<>();
    perNode.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> named.put(e.getKey() < 0 ? "unknown" : nodeName(e.getKey()), e.getValue()));
    return named;
  }

  static long percentile(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  static long millis(long nanos) {
    return nanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(nanos);
  }

  /** Percentiles of the deliveries whose sender and recipient were on the same node, or on different ones. */
  static String latencies(List<long[]> deliveries, boolean sameNode) {
    List<Long> sorted = deliveries.stream()
        .filter(d -> d[2] >= 0 && d[3] >= 0 && (d[2] == d[3]) == sameNode)
        .map(d -> d[1] - d[0]).sorted().toList();
    return String.format("n=%d p50 %.1f ms p99 %.1f ms", sorted.size(), percentile(sorted, 50) / 1e6,
        percentile(sorted, 99) / 1e6);
  }

  static JsonObject api(HttpMethod method, String path, Session as, JsonObject body) {
    var request = http.requestAbs(method, haproxy.baseUri() + path).bearerTokenAuthentication(as.accessToken());
    HttpResponse<Buffer> response = WireClient.await(body == null ? request.send() : request.sendJsonObject(body));
    assertThat(response.statusCode()).as(method + " " + path + ": " + response.bodyAsString()).isBetween(200, 299);
    return response.body() == null || response.body().length() == 0 ? null : response.bodyAsJsonObject();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("no result within " + WAIT, e);
    }
  }
}
