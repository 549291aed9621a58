package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One live connection per device, and live delivery to whichever connection holds the device. */
class RoutingTest {
  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().build();

  static Vertx vertx;
  static CourierServer server;
  static TestAccounts accounts;

  @BeforeAll
  static void startServer() {
    vertx = Vertx.vertx();
    server = TestServer.start(REDIS.url(), "limits.sendsPerSecond=1", "limits.sendBurst=2");
    accounts = new TestAccounts(vertx, server.baseUri());
  }

  @AfterAll
  static void stopServer() {
    server.close();
    vertx.close();
  }

  @Test
  void newConnectionForADeviceTakesOverAndTheOldOneIsClosedWith4409() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    try (WireClient old = WireClient.connect(vertx, server.port(), bob.accessToken())) {
      old.expect("drained");
      try (WireClient fresh = WireClient.connect(vertx, server.port(), bob.accessToken());
           WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
        fresh.expect("drained");
        assertThat(old.awaitClose()).isEqualTo(new WireClient.Close(4409, "connected elsewhere"));
        a.expect("drained");
        a.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "to the new one"));
        a.expect("sent");
        assertThat(fresh.expect("message").getString("id")).isEqualTo("m1");
      }
    }
  }

  @Test
  void stoppingTheServerTellsClientsToReconnectElsewhere() {
    CourierServer stopping = TestServer.start(REDIS.url());
    Session bob = new TestAccounts(vertx, stopping.baseUri()).register("bob");
    try (WireClient b = WireClient.connect(vertx, stopping.port(), bob.accessToken())) {
      b.expect("drained");
      stopping.close();
      assertThat(b.awaitClose()).isEqualTo(new WireClient.Close(1001, "server shutting down"));
    }
  }

  @Test
  void otherDevicesOfTheSameAccountStayConnected() {
    Session phone = accounts.register("bob");
    Session laptop = accounts.login(phone.account());
    try (WireClient p = WireClient.connect(vertx, server.port(), phone.accessToken());
         WireClient l = WireClient.connect(vertx, server.port(), laptop.accessToken())) {
      p.expect("drained");
      l.expect("drained");
      p.assertAlive("phone");
      l.assertAlive("laptop");
      assertThat(p.isClosed() || l.isClosed()).isFalse();
    }
  }

  @Test
  void sendsAboveTheAccountRateAreRefusedWithRetryAfterAndNotStored() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
      a.expect("drained");
      for (int i = 0; i < 3; i++) {
        a.send(OneToOneChatTest.sendFrame("m" + i, bob.account(), bob.device(), "x"));
      }
      a.expect("sent");
      a.expect("sent");
      JsonObject limited = a.expect("error");
      assertThat(limited.getString("code")).isEqualTo("RATE_LIMITED");
      assertThat(limited.getString("id")).isEqualTo("m2");
      assertThat(limited.getBoolean("temporary")).isTrue();
      assertThat(limited.getLong("retryAfter")).isBetween(1L, 1_000L);
      a.assertAlive("still-open");
    }
    assertThat(REDIS.redis().command("XLEN", "mbox:{u:" + bob.account() + "}:" + bob.device())).isEqualTo(2L);
  }
}
