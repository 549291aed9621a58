package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.media.EmbeddedS3;
import io.courier.metrics.MetricNames;
import io.courier.testing.Poll;
import io.courier.testing.RedisProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes (Hazelcast on loopback) in this JVM, sharing one Redis and one S3 store: a message to a
 * device on the other node is delivered live, one connection per device holds across nodes, and a route to a
 * node that is gone is cleared when met.
 */
class ClusterTest {
  static RedisProcess redis;
  static EmbeddedS3 s3;
  static CourierServer nodeA;
  static CourierServer nodeB;
  static Vertx vertx;
  static TestAccounts accounts;

  @BeforeAll
  static void startCluster() throws Exception {
    redis = RedisProcess.builder().build().start();
    s3 = EmbeddedS3.start(Files.createTempDirectory("courier-s3-"), 8 * 1024 * 1024, List.of());
    Path access = Files.createTempFile("s3-access", "");
    Path secret = Files.createTempFile("s3-secret", "");
    Files.writeString(access, s3.accessKey());
    Files.writeString(secret, s3.secretKey());
    List<String> shared = new ArrayList<>(List.of(TestTokens.generate().serverOverrides()));
    shared.addAll(List.of("cluster.enabled=true", "cluster.name=test-" + UUID.randomUUID(),
        "cluster.members=127.0.0.1", "media.endpoint=" + s3.endpoint(), "media.accessKey=file:" + access,
        "media.secretKey=file:" + secret));
    nodeA = TestServer.start(redis.url(), shared.toArray(String[]::new));
    nodeB = TestServer.start(redis.url(), shared.toArray(String[]::new));
    vertx = Vertx.vertx();
    accounts = new TestAccounts(vertx, nodeA.baseUri());
  }

  @AfterAll
  static void stopCluster() {
    vertx.close();
    nodeB.close();
    nodeA.close();
    s3.close();
    redis.close();
  }

  @Test
  void aMessageToADeviceOnTheOtherNodeIsDeliveredLive() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    try (WireClient a = WireClient.connect(vertx, nodeA.port(), alice.accessToken());
         WireClient b = WireClient.connect(vertx, nodeB.port(), bob.accessToken())) {
      a.expect("drained");
      b.expect("drained");
      a.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "across the cluster"));
      a.expect("sent");
      JsonObject message = b.expect("message");
      assertThat(message.getString("id")).isEqualTo("m1");
      b.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(message.getString("entry"))));
      assertThat(a.expect("receipt").getString("kind")).isEqualTo("delivered");
    }
  }

  @Test
  void messagesAndReceiptsCrossTheClusterWithTheirEntriesWithoutMailboxReads() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    try (WireClient a = WireClient.connect(vertx, nodeA.port(), alice.accessToken());
         WireClient b = WireClient.connect(vertx, nodeB.port(), bob.accessToken())) {
      a.expect("drained");
      b.expect("drained");
      long readsBefore = redis.calls("xrange");
      double remoteBefore = remoteWakeups();
      for (int k = 0; k < 20; k++) {
        a.send(OneToOneChatTest.sendFrame("m-" + k, bob.account(), bob.device(), "sync copy " + k));
        a.expect("sent");
        JsonObject message = b.expect("message");
        assertThat(message.getString("id")).isEqualTo("m-" + k);
        assertThat(message.getString("from")).isEqualTo(alice.account());
        assertThat(message.getInteger("fromDevice")).isEqualTo(alice.device());
        assertThat(message.getString("ciphertext")).isNotBlank();
        b.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(message.getString("entry"))));
        JsonObject receipt = a.expect("receipt");
        assertThat(receipt.getString("kind")).isEqualTo("delivered");
        assertThat(receipt.getString("by")).isEqualTo(bob.account());
        assertThat(receipt.getJsonArray("ids")).containsExactly("m-" + k);
        a.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(receipt.getString("entry"))));
      }
      // A plain wake-up would cost one read per message and per receipt: 40.
      assertThat(redis.calls("xrange") - readsBefore).as("mailbox reads for 20 messages and 20 receipts").isLessThan(5);
      assertThat(remoteWakeups() - remoteBefore).as("devices woken on the other node").isEqualTo(40);
    }
  }

  @Test
  void burstsFromSeveralSendersCrossTheClusterOnceAndInOrder() {
    Session bob = accounts.register("bob");
    List<Session> senders = new ArrayList<>();
    for (int s = 0; s < 4; s++) {
      senders.add(accounts.register("sender" + s));
    }
    int perSender = 150;
    List<WireClient> sockets = new ArrayList<>();
    try (WireClient b = WireClient.connect(vertx, nodeB.port(), bob.accessToken())) {
      b.expect("drained");
      for (Session sender : senders) {
        sockets.add(WireClient.connect(vertx, nodeA.port(), sender.accessToken()));
        sockets.get(sockets.size() - 1).expect("drained");
      }
      // all at once, so that many wake-ups for node B leave node A in the same event-loop turns (NodeOutbox)
      for (int k = 0; k < perSender; k++) {
        for (int s = 0; s < senders.size(); s++) {
          sockets.get(s).send(OneToOneChatTest.sendFrame("m-" + k, bob.account(), bob.device(), "s" + s + " #" + k));
        }
      }
      LiveDeliveryTest.expectOnceInTheOrderSent(b, senders.size() * perSender, 10);
      b.assertAlive("after-the-burst");
    } finally {
      sockets.forEach(WireClient::close);
    }
  }

  /** Both nodes run in this JVM and count into the same global registry. */
  private static double remoteWakeups() {
    return Metrics.counter(MetricNames.name("wakeups.remote")).count();
  }

  @Test
  void aNewConnectionOnAnotherNodeClosesTheOldOneWith4409() {
    Session bob = accounts.register("bob");
    try (WireClient onA = WireClient.connect(vertx, nodeA.port(), bob.accessToken())) {
      onA.expect("drained");
      try (WireClient onB = WireClient.connect(vertx, nodeB.port(), bob.accessToken())) {
        onB.expect("drained");
        assertThat(onA.awaitClose()).isEqualTo(new WireClient.Close(4409, "connected elsewhere"));
        onB.assertAlive("still-here");
      }
    }
  }

  @Test
  void aRouteToANodeThatIsGoneIsClearedWhenMet() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String routes = "routes:{u:" + bob.account() + "}";
    redis.command("HSET", routes, Integer.toString(bob.device()), "node-that-died 7");
    try (WireClient a = WireClient.connect(vertx, nodeA.port(), alice.accessToken())) {
      a.expect("drained");
      a.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "to nobody yet"));
      a.expect("sent");
    }
    Poll.until(Duration.ofSeconds(10), () -> redis.command("HGET", routes, Integer.toString(bob.device())) == null,
        () -> "the stale route is cleared");
    try (WireClient b = WireClient.connect(vertx, nodeB.port(), bob.accessToken())) {
      assertThat(b.expect("message").getString("id")).isEqualTo("m1");
    }
  }
}
