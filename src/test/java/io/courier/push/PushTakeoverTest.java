package io.courier.push;

import static io.courier.push.PushSchedulingTest.assertStays;
import static io.courier.push.PushSchedulingTest.message;
import static io.courier.push.PushSchedulingTest.registerTarget;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.media.EmbeddedS3;
import io.courier.testing.FreePort;
import io.courier.testing.Poll;
import io.courier.testing.RedisProcess;
import io.courier.testing.ServerProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Three clustered node processes (Hazelcast on loopback) sharing one Redis run push workers whose Web Push sender
 * reports to a recorder in this JVM ({@link PushNodeMain}, {@link HttpRecordingSender}). The recorder holds every
 * wake-up unanswered until all are claimed; the node that claimed the most is killed with SIGKILL (so the push
 * service never accepted those); the others' are then accepted. Every due wake-up must be accepted exactly once:
 * the dead node's are taken over after {@code push.takeover} by the other nodes and sent, none lost, none twice.
 *
 * @implNote This proves takeover of wake-ups a dead node claimed and had not had accepted. The one documented
 * duplicate (a node dies after its push service accepted and before it recorded that) is not exercised: the
 * recorder never accepts a request of the node it is about to kill.
 */
class PushTakeoverTest {
  static final int DEVICES = 12;
  static final Duration TAKEOVER = Duration.ofSeconds(16);

  /** One wake-up as the recorder got it: the target's endpoint and the node that sent it. */
  record Wake(String endpoint, String node) {}

  /** A wake-up the recorder has not answered yet, and when it came (ms). */
  record Held(Wake wake, HttpServerRequest request, long at) {}

  @Test
  void wakeUpsClaimedByANodeKilledMidSendAreSentByAnotherNodeOnceEach() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Wake> received = new CopyOnWriteArrayList<>();
    List<Wake> accepted = new CopyOnWriteArrayList<>();
    List<Held> held = new CopyOnWriteArrayList<>();
    boolean[] holding = {true};
    HttpServer recorder = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      Wake wake = new Wake(body.toString(), request.getHeader("X-Node"));
      received.add(wake);
      synchronized (holding) {
        if (holding[0]) {
          held.add(new Held(wake, request, System.currentTimeMillis()));
          return;
        }
      }
      accepted.add(wake);
      request.response().end();
    })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<ServerProcess> nodes = new ArrayList<>();
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      EmbeddedS3 s3 = EmbeddedS3.start(Files.createTempDirectory("courier-s3-"), 8 * 1024 * 1024, List.of());
      try {
        startNodes(nodes, redis, s3, recorder.actualPort());
        TestAccounts accounts = new TestAccounts(vertx, nodes.get(0).baseUri().toString());
        Session alice = accounts.register("alice");
        List<Session> bobs = new ArrayList<>();
        Map<String, Session> byEndpoint = new java.util.HashMap<>();
        for (int i = 0; i < DEVICES; i++) {
          Session bob = accounts.register("bob");
          bobs.add(bob);
          byEndpoint.put(registerTarget(redis, bob), bob);
        }
        try (WireClient a = WireClient.connect(vertx, nodes.get(0).port(), alice.accessToken())) {
          a.expect("drained");
          for (Session bob : bobs) {
            a.send(message("m1", bob, "wake up"));
            a.expect("sent");
          }
        }
        Poll.until(Duration.ofSeconds(10), () -> received.size() == DEVICES,
            () -> "not every due wake-up was claimed and sent (" + received.size() + ")");
        Map<String, Long> perNode = received.stream().collect(Collectors.groupingBy(Wake::node,
            Collectors.counting()));
        String victim = perNode.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        nodes.get(Integer.parseInt(victim)).kill();
        synchronized (holding) {
          holding[0] = false;
          for (Held h : held) {
            if (h.wake().node().equals(victim)) {
              continue;
            }
            // A sender that gave up waiting (its deadline is half the takeover) tries again: an answer it no
            // longer waits for would be the documented lost-answer duplicate, so it is refused, not accepted.
            if (System.currentTimeMillis() - h.at() < TAKEOVER.toMillis() / 2 - 1000) {
              accepted.add(h.wake());
              h.request().response().end();
            } else {
              h.request().response().setStatusCode(503).end();
            }
          }
        }
        Poll.until(TAKEOVER.plusSeconds(20), () -> accepted.size() == DEVICES,
            () -> "wake-ups of the killed node " + victim + " (" + perNode.get(victim) + " of " + perNode
                + ") were not all sent by another node: " + accepted.size() + " accepted: " + accepted + "; received: "
                + received);
        assertStays(Duration.ofSeconds(3), accepted::size, DEVICES, "wake-ups accepted");
        assertThat(accepted.stream().map(Wake::endpoint).collect(Collectors.toSet()))
            .as("devices woken, once each").isEqualTo(byEndpoint.keySet());
        assertThat(accepted.stream().map(Wake::node).collect(Collectors.toSet())).doesNotContain(victim);
      } finally {
        nodes.forEach(ServerProcess::close);
        s3.close();
      }
    } finally {
      vertx.close();
    }
  }

  /** Three nodes of one cluster, each named by its index for the recorder; returns once all listen. */
  private static void startNodes(List<ServerProcess> nodes, RedisProcess redis, EmbeddedS3 s3, int recorderPort)
      throws Exception {
    Path secrets = Files.createTempDirectory("courier-secrets-");
    Path access = Files.writeString(secrets.resolve("s3_access_key"), s3.accessKey());
    Path secret = Files.writeString(secrets.resolve("s3_secret_key"), s3.secretKey());
    TestTokens keys = TestTokens.generate();
    int[] hazelcastPorts = IntStream.range(0, 3).map(i -> FreePort.pick()).toArray();
    String members = String.join(",", IntStream.of(hazelcastPorts).mapToObj(p -> "127.0.0.1:" + p).toList());
    String clusterName = "push-" + UUID.randomUUID();
    for (int i = 0; i < 3; i++) {
      ServerProcess.Builder node = ServerProcess.builder()
          .mainClass(PushNodeMain.class.getName())
          .jvmFlag("-Xmx256m")
          .jvmFlag("-XX:TieredStopAtLevel=1")
          .jvmFlag("-XX:+UseSerialGC")
          .env("PUSH_RECORDER_URL", "http://127.0.0.1:" + recorderPort)
          .env("PUSH_NODE_NAME", Integer.toString(i))
          .set("server.host=127.0.0.1")
          .set("redis.url=" + redis.url())
          .set("cluster.enabled=true")
          .set("cluster.name=" + clusterName)
          .set("cluster.host=127.0.0.1")
          .set("cluster.members=" + members)
          .set("cluster.port=" + hazelcastPorts[i])
          .set("media.endpoint=" + s3.endpoint())
          .set("media.accessKey=file:" + access)
          .set("media.secretKey=file:" + secret)
          .set("auth.bcryptCost=4")
          .set("limits.registrationsPerMinute=100000")
          .set("push.enabled=true")
          // no check at the window's end within the test: each device is due exactly one wake-up
          .set("push.window=PT1H")
          .set("push.takeover=" + TAKEOVER);
      for (String override : keys.serverOverrides()) {
        node.set(override);
      }
      nodes.add(node.build());
    }
    nodes.get(0).start();
    CompletableFuture.allOf(CompletableFuture.runAsync(nodes.get(1)::start),
        CompletableFuture.runAsync(nodes.get(2)::start)).get(2 * ServerProcess.DEFAULT_START_TIMEOUT.toSeconds(),
        TimeUnit.SECONDS);
  }
}
