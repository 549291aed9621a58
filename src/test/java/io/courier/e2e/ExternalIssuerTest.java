package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.courier.CourierServer;
import io.courier.auth.SigningKeys;
import io.courier.client.Session;
import io.courier.testing.LoggedExceptions;
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestIds;
import io.courier.testing.TestServer;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Tokens of an external identity provider (RS256): accepted with its configured public key or its JWKS,
 * refused when signed by anyone else; their devices exist from the first handshake and can be messaged.
 */
class ExternalIssuerTest {
  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().build();
  static final String ISSUER = "https://idp.test/";
  static final String AUDIENCE = "courier";

  static Vertx vertx;
  static KeyPair idpKeys;
  static HttpServer jwks;

  @BeforeAll
  static void startIdentityProvider() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    idpKeys = rsa.generateKeyPair();
    RSAPublicKey pub = (RSAPublicKey) idpKeys.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", "k1")
        .put("n", unsigned(pub.getModulus())).put("e", unsigned(pub.getPublicExponent()));
    jwks = WireClient.await(vertx.createHttpServer()
        .requestHandler(rq -> rq.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("keys", new JsonArray().add(jwk)).encode()))
        .listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    vertx.close();
  }

  static String unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static JsonObject claims(String account, int device) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", ISSUER).put("aud", AUDIENCE).put("sub", account).put("dev", device)
        .put("iat", now).put("exp", now + 600);
  }

  static String[] external(String keySetting) {
    return new String[] {"auth.external.issuer=" + ISSUER, "auth.external.audience=" + AUDIENCE,
        "auth.external.algorithms=RS256", "auth.external.deviceClaim=dev", keySetting};
  }

  void assertAcceptedAndReachable(CourierServer server) {
    String account = TestIds.unique("ext");
    String token = TestTokens.rs256(claims(account, 3), idpKeys.getPrivate(), "k1");
    try (WireClient ext = WireClient.connect(vertx, server.port(), token)) {
      ext.expect("drained");
      Session alice = new TestAccounts(vertx, server.baseUri()).register("alice");
      try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
        a.expect("drained");
        a.send(OneToOneChatTest.sendFrame("m1", account, 3, "hi external"));
        a.expect("sent");
      }
      assertThat(ext.expect("message").getString("from")).isEqualTo(alice.account());
    }
    KeyPair stranger = SigningKeys.generate();
    assertThat(WireClient.refused(vertx, server.port(), TestTokens.es256(claims(account, 3).put("iss", ISSUER),
        stranger.getPrivate()), null).body().getString("code")).isEqualTo("TOKEN_INVALID");
    assertThat(WireClient.refused(vertx, server.port(), TestTokens.rs256(claims(account, 3).put("aud", "other"),
        idpKeys.getPrivate(), "k1"), null).body().getString("code")).isEqualTo("TOKEN_INVALID");
    assertThat(WireClient.refused(vertx, server.port(), TestTokens.unsigned(claims(account, 3)), null).body()
        .getString("code")).isEqualTo("TOKEN_INVALID");
    // Correctly signed by the provider, but without 'exp' (it would never expire) or with a string 'exp'.
    JsonObject noExpiry = claims(account, 3);
    noExpiry.remove("exp");
    try (LoggedExceptions logged = LoggedExceptions.watch()) {
      for (JsonObject bad : java.util.List.of(noExpiry, claims(account, 3).put("exp", "tomorrow"),
          claims(account, 3).put("dev", "3"))) {
        assertThat(WireClient.refused(vertx, server.port(), TestTokens.rs256(bad, idpKeys.getPrivate(), "k1"), null)
            .body().getString("code")).as(bad.encode()).isEqualTo("TOKEN_INVALID");
      }
      logged.assertNone("the refusals");
    }

    // The provider cannot speak for a local account, and a local registration cannot take an external id.
    Session local = new TestAccounts(vertx, server.baseUri()).register("local");
    assertThat(WireClient.refused(vertx, server.port(), TestTokens.rs256(claims(local.account(), 1),
        idpKeys.getPrivate(), "k1"), null).body().getString("code")).isEqualTo("TOKEN_INVALID");
    assertThat(local.device()).isEqualTo(1);
    Future<Void> takeOver = new TestAccounts(vertx, server.baseUri()).api().register(account,
        TestAccounts.PASSWORD);
    assertThat(catchThrowable(() -> WireClient.await(takeOver)))
        .hasMessageContaining("USERNAME_TAKEN");
  }

  @Test
  void tokensVerifiedWithTheConfiguredPublicKey() throws Exception {
    Path pem = Files.createTempFile("idp-", ".pem");
    Files.writeString(pem, SigningKeys.pem("PUBLIC KEY", idpKeys.getPublic().getEncoded()));
    CourierServer server = TestServer.start(REDIS.url(), external("auth.external.publicKeyPem=file:" + pem));
    try {
      assertAcceptedAndReachable(server);
    } finally {
      server.close();
    }
  }

  @Test
  void tokensVerifiedWithTheProvidersJwks() {
    CourierServer server = TestServer.start(REDIS.url(),
        external("auth.external.jwksUrl=http://127.0.0.1:" + jwks.actualPort() + "/jwks.json"));
    try {
      assertAcceptedAndReachable(server);
    } finally {
      server.close();
    }
  }
}
