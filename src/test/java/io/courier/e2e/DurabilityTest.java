package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.metrics.MetricNames;
import io.courier.testing.Poll;
import io.courier.testing.RedisProcess;
import io.courier.testing.ServerProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nothing answered {@code sent} is lost when the server process or Redis itself dies: kill -9 of the server
 * while the recipient is offline, and kill -9 plus restart of Redis with AOF on.
 */
class DurabilityTest {
  static final int QUEUED = 200;

  Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() {
    vertx.close();
  }

  /** Sends {@code count} messages and returns the ids answered {@code sent}, in order. */
  static List<String> sendAll(Vertx vertx, int port, Session from, Session to, int count) {
    List<String> sent = new ArrayList<>();
    try (WireClient a = WireClient.connect(vertx, port, from.accessToken())) {
      a.expect("drained");
      for (int i = 0; i < count; i++) {
        a.send(OneToOneChatTest.sendFrame("m" + i, to.account(), to.device(), "queued " + i));
      }
      for (int i = 0; i < count; i++) {
        sent.add(a.expect("sent").getString("id"));
      }
    }
    return sent;
  }

  static List<String> receiveBacklog(Vertx vertx, int port, Session device) {
    List<String> ids = new ArrayList<>();
    try (WireClient b = WireClient.connect(vertx, port, device.accessToken())) {
      for (JsonObject f = b.next(); !"drained".equals(f.getString("type")); f = b.next()) {
        ids.add(f.getString("id"));
      }
    }
    return ids;
  }

  @Test
  void killMinus9OfTheServerLosesNothingQueued() throws Exception {
    TestTokens keys = TestTokens.generate();
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      ServerProcess.Builder node = ServerProcess.builder()
          .set("redis.url=" + redis.url())
          .set("dataDir=" + Files.createTempDirectory("courier-node-"))
          .set("auth.bcryptCost=4")
          .set("limits.sendsPerSecond=100000").set("limits.sendBurst=100000")
          .set("limits.registrationsPerMinute=100000");
      for (String override : keys.serverOverrides()) {
        node.set(override);
      }
      List<String> sent;
      Session bob;
      try (ServerProcess first = node.build().start()) {
        TestAccounts accounts = new TestAccounts(vertx, first.baseUri().toString());
        Session alice = accounts.register("alice");
        bob = accounts.register("bob");
        sent = sendAll(vertx, first.port(), alice, bob, QUEUED);
        assertThat(first.kill()).isEqualTo(137);
      }
      try (ServerProcess second = node.build().start()) {
        assertThat(receiveBacklog(vertx, second.port(), bob)).containsExactlyElementsOf(sent);
      }
    }
  }

  /** Everything answered {@code sent} before Redis was killed is delivered after its restart. */
  @Test
  void redisKilledAndRestartedWithAofKeepsEverythingSent() {
    withRedisThatSurvivesKills((redis, server, alice, bob) -> {
      List<String> sent = sendAll(vertx, server.port(), alice, bob, QUEUED);

      try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
        a.expect("drained");
        redis.kill();
        a.send(OneToOneChatTest.sendFrame("during-outage", bob.account(), bob.device(), "x"));
        JsonObject answer = a.expect("error");
        assertThat(answer.getString("code")).as("nothing is confirmed while Redis is down").isEqualTo("UNAVAILABLE");
        assertThat(answer.getBoolean("temporary")).isTrue();
        // The store's outage is not the client's fault: more refusals than the error budget leave it connected.
        int budget = server.config().limits().maxErrorsPerMinute();
        for (int i = 0; i <= budget; i++) {
          a.send(OneToOneChatTest.sendFrame("during-outage-" + i, bob.account(), bob.device(), "x"));
          assertThat(a.expect("error").getString("code")).isEqualTo("UNAVAILABLE");
        }
        a.send(new JsonObject().put("type", "ping").put("id", "still-here"));
        assertThat(a.expect("pong").getString("id")).as("the connection stays open").isEqualTo("still-here");
      }
      WireClient.Refusal refusal = WireClient.refused(vertx, server.port(), bob.accessToken(), null);
      assertThat(refusal.status()).isEqualTo(503);
      assertThat(refusal.body().getString("code")).isEqualTo("UNAVAILABLE");
      redis.restart();
      WebClient http = WebClient.create(vertx);
      Poll.until(Duration.ofSeconds(30), () -> WireClient.await(http.getAbs(server.baseUri() + "/health/ready")
          .send()).statusCode() == 200, () -> "server ready again after the Redis restart");

      assertThat(receiveBacklog(vertx, server.port(), bob)).containsExactlyElementsOf(sent);
    });
  }

  /**
   * An ack made while Redis is down is stored once it is back, on the same connections: the device has acked and
   * would not ack again, so the server retries it (AckHandler) instead of waiting for a reconnect.
   */
  @Test
  void anAckMadeWhileRedisIsDownIsStoredWhenItIsBack() {
    withRedisThatSurvivesKills((redis, server, alice, bob) -> {
      try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken());
          WireClient b = WireClient.connect(vertx, server.port(), bob.accessToken())) {
        a.expect("drained");
        b.expect("drained");
        a.send(OneToOneChatTest.sendFrame("before-outage", bob.account(), bob.device(), "hello"));
        a.expect("sent");
        String entry = b.expect("message").getString("entry");

        redis.kill();
        double retriesBefore = acksRetried();
        b.send(new JsonObject().put("type", "ack").put("id", "ack-1").put("entries", new JsonArray().add(entry)));
        Poll.until(Duration.ofSeconds(10), () -> acksRetried() > retriesBefore,
            () -> "the ack was not retried while Redis was down");
        redis.restart();

        assertThat(b.expect("ok").getString("id")).as("the ack, answered once stored").isEqualTo("ack-1");
        JsonObject delivered = a.expect("receipt");
        assertThat(delivered.getString("kind")).isEqualTo("delivered");
        assertThat(delivered.getJsonArray("ids")).containsExactly("before-outage");
      }
      assertThat(receiveBacklog(vertx, server.port(), bob)).as("left in Bob's mailbox").isEmpty();
    });
  }

  /**
   * Sends a connection had not started when it closed are not stored: the client resends them, unconfirmed, on its
   * next connection, and storing them as well would race with those resends and could reorder its messages.
   */
  @Test
  void sendsAClosedConnectionHadNotStartedAreNotStored() {
    withRedisThatSurvivesKills((redis, server, alice, bob) -> {
      try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
        a.expect("drained");
        // Redis holds every command for 2 s: the first send waits for it, the others wait behind that one.
        redis.command("CLIENT", "PAUSE", "2000", "ALL");
        for (int i = 0; i < 20; i++) {
          a.send(OneToOneChatTest.sendFrame("queued-" + i, bob.account(), bob.device(), "x"));
        }
      }
      // The sends reached the server before the close did (one socket, in order).
      Poll.until(Duration.ofSeconds(5), () -> openConnections() == 0, () -> "the server did not see the close");
      // A send on a new connection, answered once Redis is back: had the closed connection gone on with its
      // queue, it would have stored those sends meanwhile, one Redis round trip each.
      try (WireClient again = WireClient.connect(vertx, server.port(), alice.accessToken())) {
        again.expect("drained");
        again.send(OneToOneChatTest.sendFrame("after", bob.account(), bob.device(), "y"));
        assertThat(again.expect("sent").getString("id")).isEqualTo("after");
      }

      List<String> stored = receiveBacklog(vertx, server.port(), bob);
      assertThat(stored).as("the send that had started, if it had, then the new one")
          .isIn(List.of("after"), List.of("queued-0", "after"));
    });
  }

  private static double openConnections() {
    return Metrics.globalRegistry.find(MetricNames.name("connections.open")).gauge().value();
  }

  /** A test against a server on a Redis it may kill and restart. */
  @FunctionalInterface
  interface RedisKillTest {
    void run(RedisProcess redis, CourierServer server, Session alice, Session bob);
  }

  /**
   * Runs {@code test} with a server on its own Redis, with AOF and {@code appendfsync always}: every write is
   * fsynced before Redis replies, so each {@code sent} is on disk and survives a kill. (A process kill keeps even
   * {@code everysec} writes, which sit in the OS page cache; only a machine crash tells the policies apart. See
   * README, Durability.)
   */
  private void withRedisThatSurvivesKills(RedisKillTest test) {
    try (RedisProcess redis = RedisProcess.builder().appendOnly(true).fsync("always").build().start()) {
      CourierServer server = TestServer.start(redis.url());
      try {
        TestAccounts accounts = new TestAccounts(vertx, server.baseUri());
        test.run(redis, server, accounts.register("alice"), accounts.register("bob"));
      } finally {
        server.close();
      }
    }
  }

  private static double acksRetried() {
    Counter counter = Metrics.globalRegistry.find(MetricNames.name("acks.retried")).counter();
    return counter == null ? 0 : counter.count();
  }
}
