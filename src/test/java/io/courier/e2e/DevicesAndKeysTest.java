package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestKeys;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Devices (link, list, unlink, the cap) and the key directory (upload, count, take) on the wire. */
class DevicesAndKeysTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("devices.maxPerAccount=3",
      "limits.bundleFetchesPerMinute=100000");

  static WebClient http;

  @BeforeAll
  static void setUp() {
    http = WebClient.create(SERVER.vertx());
  }

  static void assertCode(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo(code);
  }

  @Test
  void linkCodeAddsADeviceOnceAndCarriesTheProvisioningBlob() {
    Session phone = SERVER.accounts().register("alice");
    HttpResponse<Buffer> offer = SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", phone,
        new JsonObject().put("provisioning", "c2VhbGVk"));
    assertThat(offer.statusCode()).isEqualTo(201);
    String code = offer.bodyAsJsonObject().getString("code");
    assertThat(code).matches("[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}");

    HttpResponse<Buffer> linked = SERVER.call(HttpMethod.POST, "/v1/devices/link", null,
        new JsonObject().put("code", code.toLowerCase()).put("deviceName", "tablet"));
    assertThat(linked.statusCode()).isEqualTo(200);
    JsonObject session = linked.bodyAsJsonObject();
    assertThat(session.getString("account")).isEqualTo(phone.account());
    assertThat(session.getInteger("device")).isEqualTo(2);
    assertThat(session.getString("provisioning")).isEqualTo("c2VhbGVk");
    WireClient.connect(SERVER.vertx(), SERVER.port(), session.getString("accessToken")).close();

    assertCode(SERVER.call(HttpMethod.POST, "/v1/devices/link", null, new JsonObject().put("code", code)), 404,
        "LINK_CODE_INVALID");
    assertCode(SERVER.call(HttpMethod.POST, "/v1/devices/link", null, new JsonObject().put("code", "nope")), 404,
        "LINK_CODE_INVALID");
    JsonArray devices = SERVER.call(HttpMethod.GET, "/v1/devices", phone, null).bodyAsJsonObject().getJsonArray("devices");
    assertThat(devices.stream().map(d -> ((JsonObject) d).getString("name"))).containsExactly("test", "tablet");
  }

  @Test
  void anAccountHasAtMostTheConfiguredNumberOfDevices() {
    Session first = SERVER.accounts().register("bob");
    SERVER.accounts().login(first.account());
    SERVER.accounts().login(first.account());
    assertCode(SERVER.call(HttpMethod.POST, "/v1/sessions", null, new JsonObject().put("username", first.account())
        .put("password", io.courier.testing.TestAccounts.PASSWORD)), 409, "TOO_MANY_DEVICES");
    String code = SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", first, new JsonObject()).bodyAsJsonObject()
        .getString("code");
    assertCode(SERVER.call(HttpMethod.POST, "/v1/devices/link", null, new JsonObject().put("code", code)), 409,
        "TOO_MANY_DEVICES");
  }

  @Test
  void unlinkingClosesTheSocketWithinASecondAndRevokesTheDevice() {
    Session phone = SERVER.accounts().register("carol");
    Session laptop = SERVER.accounts().login(phone.account());
    assertThat(SERVER.call(HttpMethod.PUT, "/v1/keys", laptop, TestKeys.identity(7, 3)).statusCode()).isEqualTo(204);
    try (WireClient socket = SERVER.connect(laptop)) {
      socket.expect("drained");
      long start = System.nanoTime();
      assertThat(SERVER.call(HttpMethod.DELETE, "/v1/devices/" + laptop.device(), phone, null).statusCode()).isEqualTo(204);
      assertThat(socket.awaitClose()).isEqualTo(new WireClient.Close(4403, "device logged out"));
      assertThat((System.nanoTime() - start) / 1_000_000).as("ms until the socket closed").isLessThan(1_000);
    }
    assertThat(WireClient.refused(SERVER.vertx(), SERVER.port(), laptop.accessToken(), null).body()
        .getString("code")).isEqualTo("TOKEN_REVOKED");
    assertThat(SERVER.redis().command("EXISTS", "keys:{u:" + phone.account() + "}:" + laptop.device(),
        "otpk:{u:" + phone.account() + "}:" + laptop.device())).isEqualTo(0L);
    assertCode(SERVER.call(HttpMethod.GET, "/v1/keys/" + phone.account(), phone, null), 404, "NO_KEYS");
    assertCode(SERVER.call(HttpMethod.DELETE, "/v1/devices/" + laptop.device(), phone, null), 404, "UNKNOWN_DEVICE");
  }

  @Test
  void uploadsAreCheckedForShapeSizeAndCount() {
    Session dave = SERVER.accounts().register("dave");
    assertCode(SERVER.call(HttpMethod.POST, "/v1/keys/prekeys", dave, new JsonObject().put("preKeys",
        TestKeys.preKeys(1, 1))), 404, "NO_KEYS");
    assertCode(SERVER.call(HttpMethod.PUT, "/v1/keys", dave, TestKeys.identity(7, 1).put("identityKey", "AAAA")), 400,
        "INVALID_KEY");
    assertCode(SERVER.call(HttpMethod.PUT, "/v1/keys", dave, TestKeys.identity(0, 1)), 400, "INVALID_KEY");
    assertCode(SERVER.call(HttpMethod.PUT, "/v1/keys", dave, TestKeys.identity(7, 1).put("preKeys",
        TestKeys.preKeys(1, 101))), 413, "TOO_MANY_PREKEYS");
    assertCode(SERVER.call(HttpMethod.PUT, "/v1/keys", dave, TestKeys.identity(7, 1).put("signedPreKey", null)), 400,
        "MISSING_FIELD");

    assertThat(SERVER.call(HttpMethod.PUT, "/v1/keys", dave, TestKeys.identity(7, 5)).statusCode()).isEqualTo(204);
    assertThat(SERVER.call(HttpMethod.POST, "/v1/keys/prekeys", dave, new JsonObject()
        .put("preKeys", TestKeys.preKeys(100, 10))).statusCode()).isEqualTo(204);
    assertThat(SERVER.call(HttpMethod.GET, "/v1/keys/count", dave, null).bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("preKeys", 15).put("kyberPreKeys", 5));

    // A new identity is a re-registration: the one-time keys of the old one are dropped.
    assertThat(SERVER.call(HttpMethod.PUT, "/v1/keys", dave, TestKeys.identity(8, 2)).statusCode()).isEqualTo(204);
    assertThat(SERVER.call(HttpMethod.GET, "/v1/keys/count", dave, null).bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("preKeys", 2).put("kyberPreKeys", 2));
  }

  @Test
  void concurrentBundleFetchesNeverHandOutAOneTimeKeyTwice() {
    Session erin = SERVER.accounts().register("erin");
    assertThat(SERVER.call(HttpMethod.PUT, "/v1/keys", erin, TestKeys.identity(9, 100)).statusCode()).isEqualTo(204);
    List<Session> requesters = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      requesters.add(SERVER.accounts().register("fetcher"));
    }
    List<Future<HttpResponse<Buffer>>> fetches = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      fetches.add(http.getAbs(SERVER.baseUri() + "/v1/keys/" + erin.account() + "/" + erin.device())
          .bearerTokenAuthentication(requesters.get(i % requesters.size()).accessToken()).send());
    }
    WireClient.await(Future.all(fetches));
    Set<Integer> preKeyIds = new HashSet<>();
    Set<Integer> kyberIds = new HashSet<>();
    for (Future<HttpResponse<Buffer>> fetch : fetches) {
      JsonObject bundle = fetch.result().bodyAsJsonObject().getJsonArray("devices").getJsonObject(0);
      assertThat(bundle.getInteger("registrationId")).isEqualTo(9);
      assertThat(preKeyIds.add(bundle.getJsonObject("preKey").getInteger("id"))).as("EC one-time key reused")
          .isTrue();
      assertThat(kyberIds.add(bundle.getJsonObject("kyberPreKey").getInteger("id"))).as("Kyber key reused")
          .isTrue();
    }
    assertThat(preKeyIds).hasSize(100);
    assertThat(SERVER.call(HttpMethod.GET, "/v1/keys/count", erin, null).bodyAsJsonObject())
        .isEqualTo(new JsonObject().put("preKeys", 0).put("kyberPreKeys", 0));

    JsonObject exhausted = SERVER.call(HttpMethod.GET, "/v1/keys/" + erin.account(), requesters.get(0), null)
        .bodyAsJsonObject().getJsonArray("devices").getJsonObject(0);
    assertThat(exhausted.containsKey("preKey") && exhausted.getValue("preKey") != null).isFalse();
    assertThat(exhausted.getJsonObject("kyberPreKey").getInteger("id")).as("the last-resort key").isEqualTo(1_000_000);
  }

  @Test
  void aSendMustNameEveryDeviceWithKeys() {
    Session alice = SERVER.accounts().register("alice");
    Session bobPhone = SERVER.accounts().register("bob");
    Session bobLaptop = SERVER.accounts().login(bobPhone.account());
    SERVER.call(HttpMethod.PUT, "/v1/keys", bobPhone, TestKeys.identity(11, 1));
    SERVER.call(HttpMethod.PUT, "/v1/keys", bobLaptop, TestKeys.identity(22, 1));
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      a.send(OneToOneChatTest.sendFrame("m1", bobPhone.account(), bobPhone.device(), "only the phone"));
      JsonObject error = a.expect("error");
      assertThat(error.getString("code")).isEqualTo("MISMATCHED_DEVICES");
      assertThat(error.getJsonArray("missing")).containsExactly(bobLaptop.device());
      assertThat(SERVER.mailboxLength(bobPhone)).isZero();

      a.send(new JsonObject().put("type", "send").put("id", "m2").put("to", bobPhone.account())
          .put("envelopes", new JsonArray()
              .add(new JsonObject().put("device", 1).put("registrationId", 11).put("ciphertext", "aGk="))
              .add(new JsonObject().put("device", 2).put("registrationId", 23).put("ciphertext", "aGk="))));
      JsonObject stale = a.expect("error");
      assertThat(stale.getString("code")).isEqualTo("STALE_DEVICES");
      assertThat(stale.getJsonArray("stale")).containsExactly(2);
    }
  }

  @Test
  void anEmptySyncFromASingleDeviceSenderIsChecksOnly() {
    Session alone = SERVER.accounts().register("henry");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient h = SERVER.connect(alone)) {
      h.expect("drained");
      h.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "hi").put("sync", new JsonArray()));
      assertThat(h.expect("sent").getString("id")).isEqualTo("m1");
      h.send(OneToOneChatTest.sendFrame("m2", alone.account(), alone.device(), "hi").put("sync", new JsonArray()));
      assertThat(h.expect("error").getString("code")).as("a note to self has no sync").isEqualTo("INVALID_FIELD");
    }
    assertThat(SERVER.mailboxLength(bob)).isEqualTo(1);
  }

  @Test
  void syncCopiesReachTheSendersOtherDevicesWithTheConversation() {
    Session phone = SERVER.accounts().register("grace");
    Session laptop = SERVER.accounts().login(phone.account());
    Session bob = SERVER.accounts().register("bob");
    SERVER.call(HttpMethod.PUT, "/v1/keys", laptop, TestKeys.identity(31, 1));
    try (WireClient p = SERVER.connect(phone); WireClient l = SERVER.connect(laptop)) {
      p.expect("drained");
      l.expect("drained");
      p.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "hi").put("sync", new JsonArray()));
      JsonObject missing = p.expect("error");
      assertThat(missing.getString("code")).isEqualTo("MISMATCHED_DEVICES");
      assertThat(missing.getString("account")).isEqualTo(phone.account());
      assertThat(SERVER.mailboxLength(bob)).as("nothing stored for the recipient either").isZero();

      p.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "hi").put("sync", new JsonArray()
          .add(new JsonObject().put("device", laptop.device()).put("registrationId", 31).put("ciphertext", "aGk="))));
      p.expect("sent");
      JsonObject copy = l.expect("message");
      assertThat(copy.getString("to")).isEqualTo(bob.account());
      assertThat(copy.getString("from")).isEqualTo(phone.account());
      l.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(copy.getString("entry"))));
      l.assertAlive("acked");
      p.assertAlive("no-receipt-for-a-sync-copy");
      assertThat(p.pending()).isZero();
      assertThat(SERVER.mailboxLength(bob)).isEqualTo(1);
    }
  }
}
