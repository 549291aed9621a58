package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.auth.SigningKeys;
import io.courier.client.Session;
import io.courier.testing.LoggedExceptions;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input gets its documented error code, the connection survives where the protocol says so, and nothing
 * is stored: every case ends by checking the recipient's mailbox and that the socket still answers a ping.
 */
class BadInputTest {
  static final TestTokens TOKENS = TestTokens.generate();

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(TOKENS.serverOverrides());


  Session alice;
  Session bob;
  WireClient client;

  @BeforeEach
  void connectAlice() {
    alice = SERVER.accounts().register("alice");
    bob = SERVER.accounts().register("bob");
    client = SERVER.connect(alice);
    client.expect("drained");
  }

  void assertErrorAndAlive(String code) {
    JsonObject error = client.expect("error");
    assertThat(error.getString("code")).as(error.encode()).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    client.assertAlive("alive");
  }

  long bobMailboxLength() {
    return SERVER.mailboxLength(bob);
  }

  JsonObject validSend(String id) {
    return OneToOneChatTest.sendFrame(id, bob.account(), bob.device(), "hi");
  }

  @Test
  void malformedJsonIsRefusedAndConnectionSurvives() {
    client.sendText("{\"type\": \"send\", ");
    assertErrorAndAlive("MALFORMED_JSON");
    client.sendText("[1, 2]");
    assertErrorAndAlive("MALFORMED_JSON");
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void binaryMessageIsRefusedAsMalformed() {
    client.sendBinary("{\"type\":\"ping\"}".getBytes());
    assertErrorAndAlive("MALFORMED_JSON");
  }

  /** §7: a message above limits.maxFrameBytes closes with 1009, binary ones too (they got MALFORMED_JSON before). */
  @Test
  void oversizedBinaryMessageClosesWith1009() {
    client.sendBinary(new byte[300_000]);
    assertThat(client.awaitClose()).isEqualTo(new WireClient.Close(1009, "frame too large"));
  }

  @Test
  void oversizedFragmentedBinaryMessageClosesWith1009() {
    client.sendFragmentedBinary(new byte[300_000], 10);
    assertThat(client.awaitClose()).isEqualTo(new WireClient.Close(1009, "frame too large"));
  }

  @Test
  void trailingTextAfterAValidSendIsMalformedAndNothingIsDelivered() {
    client.sendText(validSend("m1").encode() + "xyz");
    JsonObject error = client.expect("error");
    assertThat(error.getString("code")).isEqualTo("MALFORMED_JSON");
    assertThat(error.containsKey("id")).as("unreadable: no id").isFalse();
    client.assertAlive("alive");
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void unpaddedBase64CiphertextIsRefused() {
    JsonObject unpadded = validSend("m1");
    unpadded.getJsonArray("envelopes").getJsonObject(0).put("ciphertext", "aGk");
    client.send(unpadded);
    JsonObject error = client.expect("error");
    assertThat(List.of(error.getString("code"), error.getString("id"))).containsExactly("INVALID_FIELD", "m1");
    client.assertAlive("alive");
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void linkCodeProvisioningMustBeStandardBase64() {
    for (String bad : List.of("not base64!", "c2VhbGVk=", "c2VhbGVkX", "c2VhbGVk\n")) {
      var response = SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", alice,
          new JsonObject().put("provisioning", bad));
      assertThat(List.of(response.statusCode(), response.bodyAsJsonObject().getString("code"))).as(bad)
          .containsExactly(400, "INVALID_FIELD");
    }
    assertThat(SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", alice,
        new JsonObject().put("provisioning", "c2VhbGVk")).statusCode()).isEqualTo(201);
  }

  @Test
  void unknownFrameTypeIsRefused() {
    client.send(new JsonObject().put("type", "teleport").put("id", "t1"));
    JsonObject error = client.expect("error");
    assertThat(error.getString("code")).isEqualTo("UNKNOWN_FRAME_TYPE");
    assertThat(error.getString("id")).isEqualTo("t1");
    // §4: the id is absent only when the frame had none or was unreadable.
    client.send(new JsonObject().put("id", "t2"));
    assertThat(client.expect("error").getString("id")).isEqualTo("t2");
    client.send(new JsonObject().put("id", "t3").put("type", 7));
    assertThat(client.expect("error").getString("id")).isEqualTo("t3");
    client.send(new JsonObject().put("type", 7));
    assertErrorAndAlive("UNKNOWN_FRAME_TYPE");
  }

  @Test
  void missingFieldsAreNamedAndNothingIsStored() {
    client.send(validSend("m1").copy().put("to", (String) null));
    assertErrorAndAlive("MISSING_FIELD");
    JsonObject noCiphertext = validSend("m2");
    noCiphertext.getJsonArray("envelopes").getJsonObject(0).remove("ciphertext");
    client.send(noCiphertext);
    assertErrorAndAlive("MISSING_FIELD");
    JsonObject noId = validSend("m3");
    noId.remove("id");
    client.send(noId);
    assertErrorAndAlive("MISSING_FIELD");
    client.send(new JsonObject().put("type", "ack"));
    assertErrorAndAlive("MISSING_FIELD");
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void invalidFieldsAreRefused() {
    JsonObject badBase64 = validSend("m1");
    badBase64.getJsonArray("envelopes").getJsonObject(0).put("ciphertext", "not base64!");
    client.send(badBase64);
    assertErrorAndAlive("INVALID_FIELD");
    JsonObject twice = validSend("m2");
    twice.getJsonArray("envelopes").add(twice.getJsonArray("envelopes").getJsonObject(0).copy());
    client.send(twice);
    assertErrorAndAlive("INVALID_FIELD");
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void sendingAsSomeoneElseIsForbidden() {
    client.send(validSend("m1").put("from", bob.account()));
    JsonObject error = client.expect("error");
    assertThat(error.getString("code")).isEqualTo("FORBIDDEN_SENDER");
    assertThat(error.getString("id")).isEqualTo("m1");
    client.assertAlive("alive");
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void unknownAccountAndDeviceAreRefusedWithNothingStored() {
    client.send(OneToOneChatTest.sendFrame("m1", "nobody-" + System.nanoTime(), 1, "hi"));
    assertErrorAndAlive("UNKNOWN_ACCOUNT");
    JsonObject toBothDevices = validSend("m2");
    toBothDevices.getJsonArray("envelopes").add(new JsonObject().put("device", 7).put("ciphertext", "aGk="));
    client.send(toBothDevices);
    JsonObject mismatch = client.expect("error");
    assertThat(mismatch.getString("code")).isEqualTo("MISMATCHED_DEVICES");
    assertThat(mismatch.getString("account")).isEqualTo(bob.account());
    assertThat(mismatch.getJsonArray("extra")).containsExactly(7);
    client.assertAlive("alive");
    assertThat(bobMailboxLength()).as("all envelopes or none").isZero();
  }

  @Test
  void oversizedCiphertextIsRefusedButOversizedFrameCloses() {
    JsonObject big = validSend("m1");
    big.getJsonArray("envelopes").getJsonObject(0).put("ciphertext", "A".repeat(88_000));
    client.send(big);
    assertErrorAndAlive("ENVELOPE_TOO_LARGE");
    assertThat(bobMailboxLength()).isZero();

    client.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(300_000) + "\"}");
    assertThat(client.awaitClose()).isEqualTo(new WireClient.Close(1009, "frame too large"));
    assertThat(bobMailboxLength()).isZero();
  }

  @Test
  void tooManyEnvelopesAreRefused() {
    JsonObject send = validSend("m1");
    JsonArray envelopes = new JsonArray();
    for (int d = 1; d <= 17; d++) {
      envelopes.add(new JsonObject().put("device", d).put("ciphertext", "aGk="));
    }
    client.send(send.put("envelopes", envelopes));
    assertErrorAndAlive("TOO_MANY_ENVELOPES");
  }

  @Test
  void ackingEntriesOfAnotherDeviceIsRefusedAndRemovesNothing() {
    Session bobPhone = bob;
    Session bobLaptop = SERVER.accounts().login(bob.account());
    client.send(validSend("m1"));
    client.expect("sent");
    try (WireClient phone = SERVER.connect(bobPhone);
         WireClient laptop = SERVER.connect(bobLaptop)) {
      String entry = phone.expect("message").getString("entry");
      phone.expect("drained");
      laptop.expect("drained");
      laptop.send(new JsonObject().put("type", "ack").put("id", "a1").put("entries", new JsonArray().add(entry)));
      JsonObject error = laptop.expect("error");
      assertThat(error.getString("code")).isEqualTo("UNKNOWN_ENTRY");
      assertThat(error.getString("id")).isEqualTo("a1");
      laptop.assertAlive("alive");
      assertThat(bobMailboxLength()).isEqualTo(1);

      phone.send(new JsonObject().put("type", "ack").put("id", "a2").put("entries", new JsonArray().add(entry)));
      assertThat(phone.expect("ok").getString("id")).isEqualTo("a2");
      assertThat(bobMailboxLength()).isZero();
    }
  }

  @Test
  void tooManyErrorsCloseTheConnection() {
    for (int i = 0; i <= 30; i++) {
      client.sendText("not json");
    }
    assertThat(client.awaitClose().code()).isEqualTo(4429);
  }

  @Test
  void handshakeRefusesMissingExpiredUnsignedForeignAndMisaddressedTokens() {
    long now = System.currentTimeMillis() / 1000;
    JsonObject valid = TestTokens.claims(alice.account(), alice.device(), now + 600);
    assertThat(TOKENS.es256(valid)).satisfies(t -> WireClient.connect(SERVER.vertx(), SERVER.port(), t).close());

    assertRefused(null, 401, "TOKEN_MISSING");
    assertRefused(TOKENS.es256(TestTokens.claims(alice.account(), alice.device(), now - 60)), 401, "TOKEN_EXPIRED");
    assertRefused(TestTokens.unsigned(valid), 401, "TOKEN_INVALID");
    assertRefused(TestTokens.es256(valid, SigningKeys.generate().getPrivate()), 401, "TOKEN_INVALID");
    assertRefused(TOKENS.es256(valid.copy().put("aud", "someone-else")), 401, "TOKEN_INVALID");
    assertRefused(TOKENS.es256(valid.copy().put("iss", "someone-else")), 401, "TOKEN_INVALID");
    assertRefused(TOKENS.hs256WithPublicKey(valid), 401, "TOKEN_INVALID");
    assertRefused("not.a.jwt", 401, "TOKEN_INVALID");
  }

  /**
   * RFC 8725 §3.10: every claim used is validated, type included. A correctly signed token without {@code exp}
   * would never expire, and one whose {@code exp} is a string made the library throw (500 INTERNAL, a
   * ClassCastException in the log): both are refused with {@code TOKEN_INVALID}, at the handshake and on HTTP,
   * and nothing is logged.
   */
  @Test
  void signedTokensWithMissingOrMistypedClaimsAreRefusedAsInvalid() {
    long now = System.currentTimeMillis() / 1000;
    JsonObject valid = TestTokens.claims(alice.account(), alice.device(), now + 600);
    List<JsonObject> invalid = List.of(
        without(valid, "exp"),
        valid.copy().put("exp", String.valueOf(now + 600)),
        valid.copy().put("exp", true),
        valid.copy().put("iat", "yesterday"),
        valid.copy().put("nbf", new JsonArray().add(1)),
        valid.copy().put("sub", 42),
        without(valid, "sub"),
        valid.copy().put("dev", "1"),
        valid.copy().put("dev", 1.5),
        valid.copy().put("dev", 1L << 33),
        valid.copy().put("aud", 7),
        valid.copy().put("aud", new JsonArray().add(7)),
        valid.copy().put("iss", 7),
        without(valid, "iss"));
    try (LoggedExceptions logged = LoggedExceptions.watch()) {
      for (JsonObject claims : invalid) {
        String token = TOKENS.es256(claims);
        assertRefused(token, 401, "TOKEN_INVALID");
        assertThat(httpRefusal(token)).as(claims.encode()).containsExactly(401, "TOKEN_INVALID");
      }
      String expired = TOKENS.es256(TestTokens.claims(alice.account(), alice.device(), now - 60));
      assertThat(httpRefusal(expired)).containsExactly(401, "TOKEN_EXPIRED");
      assertRefused(TOKENS.es256(valid.copy().put("nbf", now + 600)), 401, "TOKEN_INVALID");
      logged.assertNone("the refusals");
    }
  }

  static JsonObject without(JsonObject claims, String claim) {
    JsonObject copy = claims.copy();
    copy.remove(claim);
    return copy;
  }

  /** Status and code of {@code GET /v1/devices} with this bearer token. */
  List<Object> httpRefusal(String token) {
    var response = WireClient.await(WebClient.create(SERVER.vertx()).getAbs(SERVER.baseUri() + "/v1/devices")
        .bearerTokenAuthentication(token).send());
    return List.of(response.statusCode(), response.bodyAsJsonObject().getString("code"));
  }

  @Test
  void handshakeRefusesLoggedOutDevicesAndForeignOrigins() {
    String origin = "https://evil.example";
    assertThat(WireClient.refused(SERVER.vertx(), SERVER.port(), alice.accessToken(), origin)).satisfies(r -> {
      assertThat(r.status()).isEqualTo(403);
      assertThat(r.body().getString("code")).isEqualTo("ORIGIN_NOT_ALLOWED");
    });
    WireClient.await(SERVER.accounts().api().logout(alice.accessToken()));
    assertThat(client.awaitClose().code()).isEqualTo(4403);
    assertRefused(alice.accessToken(), 401, "TOKEN_REVOKED");
  }

  void assertRefused(String token, int status, String code) {
    WireClient.Refusal refusal = WireClient.refused(SERVER.vertx(), SERVER.port(), token, null);
    assertThat(List.of(refusal.status(), refusal.body().getString("code"))).as(String.valueOf(refusal.body()))
        .containsExactly(status, code);
  }
}
