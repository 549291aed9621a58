package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.testing.RespConnection;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.WireClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** One live connection per device, and live delivery to whichever connection holds the device. */
class RoutingTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("limits.sendsPerSecond=1", "limits.sendBurst=2");

  @Test
  void newConnectionForADeviceTakesOverAndTheOldOneIsClosedWith4409() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient old = SERVER.connect(bob)) {
      old.expect("drained");
      try (WireClient fresh = SERVER.connect(bob);
           WireClient a = SERVER.connect(alice)) {
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
  void aHandshakeChecksItsDeviceAndClaimsItInOneRedisCall() {
    Session bob = SERVER.accounts().register("bob");
    String marker = "handshake-done-" + bob.account();
    List<String> commands = new ArrayList<>();
    try (RespConnection monitor = SERVER.redis().connect()) {
      monitor.call("MONITOR");
      try (WireClient b = SERVER.connect(bob)) {
        b.expect("drained");
      }
      SERVER.redis().command("ECHO", marker);
      for (Object line = monitor.next(); !line.toString().contains(marker); line = monitor.next()) {
        commands.add(line.toString());
      }
    }
    // From the handshake to the close: the claim script (device check inside), the mailbox read, the release.
    String devices = "devices:{u:" + bob.account() + "}";
    assertThat(commands).filteredOn(c -> c.toLowerCase(Locale.ROOT).contains("\"hexists\"") && c.contains(devices))
        .as("device checks").singleElement().asString().contains("lua]");
  }

  @Test
  void aLoggedOutDevicesHandshakeIsRefusedAndClaimsNothing() {
    Session bob = SERVER.accounts().register("bob");
    try (WireClient b = SERVER.connect(bob)) {
      b.expect("drained");
    }
    String epochKey = "conn:{u:" + bob.account() + "}:" + bob.device();
    Object epoch = SERVER.redis().command("GET", epochKey);
    WireClient.await(SERVER.accounts().api().logout(bob.accessToken()));
    WireClient.Refusal refusal = WireClient.refused(SERVER.vertx(), SERVER.port(), bob.accessToken(), null);
    assertThat(List.of(refusal.status(), refusal.body().getString("code"))).containsExactly(401, "TOKEN_REVOKED");
    assertThat(SERVER.redis().command("GET", epochKey)).as("epoch").isEqualTo(epoch);
    assertThat(SERVER.redis().command("HGET", "routes:{u:" + bob.account() + "}", Integer.toString(bob.device())))
        .as("route").isNull();
  }

  @Test
  void stoppingTheServerTellsClientsToReconnectElsewhere() {
    CourierServer stopping = TestServer.start(SERVER.redis().url());
    Session bob = new TestAccounts(SERVER.vertx(), stopping.baseUri()).register("bob");
    try (WireClient b = WireClient.connect(SERVER.vertx(), stopping.port(), bob.accessToken())) {
      b.expect("drained");
      stopping.close();
      assertThat(b.awaitClose()).isEqualTo(new WireClient.Close(1001, "server shutting down"));
    }
  }

  @Test
  void shutdownLetsInFlightSendsFinishAndLosesNothingAnswered() {
    CourierServer stopping = TestServer.start(SERVER.redis().url(), "limits.sendsPerSecond=100000",
        "limits.sendBurst=100000");
    TestAccounts accounts = new TestAccounts(SERVER.vertx(), stopping.baseUri());
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    Set<String> answered = new HashSet<>();
    try (WireClient a = WireClient.connect(SERVER.vertx(), stopping.port(), alice.accessToken())) {
      a.expect("drained");
      for (int i = 0; i < 300; i++) {
        a.send(OneToOneChatTest.sendFrame("m" + i, bob.account(), bob.device(), "x"));
      }
      a.expect("sent");
      stopping.close();
      WireClient.Close close = a.awaitClose();
      assertThat(close.code()).isEqualTo(1001);
      for (int i = a.pending(); i > 0; i--) {
        JsonObject frame = a.next();
        if ("sent".equals(frame.getString("type"))) {
          answered.add(frame.getString("id"));
        }
      }
    }
    @SuppressWarnings("unchecked")
    List<Object> stored = (List<Object>) SERVER.redis().command("XRANGE",
        "mbox:{u:" + bob.account() + "}:" + bob.device(), "-", "+");
    Set<String> storedIds = new HashSet<>();
    for (Object entry : stored) {
      @SuppressWarnings("unchecked")
      List<Object> fields = (List<Object>) ((List<Object>) entry).get(1);
      storedIds.add((String) fields.get(fields.indexOf("i") + 1));
    }
    assertThat(storedIds).as("every send answered 'sent' is stored").containsAll(answered);
  }

  @Test
  void otherDevicesOfTheSameAccountStayConnected() {
    Session phone = SERVER.accounts().register("bob");
    Session laptop = SERVER.accounts().login(phone.account());
    try (WireClient p = SERVER.connect(phone);
         WireClient l = SERVER.connect(laptop)) {
      p.expect("drained");
      l.expect("drained");
      p.assertAlive("phone");
      l.assertAlive("laptop");
      assertThat(p.isClosed() || l.isClosed()).isFalse();
    }
  }

  @Test
  void sendsAboveTheAccountRateAreRefusedWithRetryAfterAndNotStored() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient a = SERVER.connect(alice)) {
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
    assertThat(SERVER.mailboxLength(bob)).isEqualTo(2);
  }
}
