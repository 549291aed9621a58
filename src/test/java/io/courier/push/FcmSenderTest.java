package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.config.PushConfig;
import io.courier.testing.FreePort;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FcmSender against a loopback FCM HTTP v1 endpoint that takes only bearer tokens issued by a loopback OAuth2
 * token endpoint, which issues them only for assertions signed by the test's service-account key (FakeGoogle).
 */
class FcmSenderTest {
  @TempDir
  static Path folder;
  static Vertx vertx;
  static FakeGoogle google;

  final List<FcmSender> senders = new ArrayList<>();

  @BeforeAll
  static void startGoogle() {
    vertx = Vertx.vertx();
    google = new FakeGoogle(vertx).start();
  }

  @AfterAll
  static void stopGoogle() {
    google.close();
    WireClient.await(vertx.close());
  }

  @AfterEach
  void closeSenders() {
    senders.forEach(sender -> WireClient.await(sender.close()));
    google.expiresIn = 3600;
  }

  FcmSender sender(KeyPair key, String tokenUri, String tokenUrl, String baseUrl) {
    Path file = TestCertificates.write(folder.resolve(UUID.randomUUID() + ".json"),
        FakeGoogle.serviceAccountJson(key, tokenUri));
    FcmSender sender = FcmSender.create(vertx, TestPushConfigs.with(new PushConfig.FcmConfig(true, "file:" + file,
        "", baseUrl, tokenUrl)), Map.of());
    senders.add(sender);
    return sender;
  }

  FcmSender sender() {
    return sender(google.serviceKey, google.tokenUrl(), "", google.baseUrl());
  }

  static String token() {
    return "fcm-" + UUID.randomUUID();
  }

  static PushOutcome send(FcmSender sender, String token) {
    return WireClient.await(sender.send(new PushTarget.Fcm(token)));
  }

  PushOutcome answeredWith(FakeGoogle.Answer answer) {
    String token = token();
    google.answers.put(token, answer);
    return send(sender(), token);
  }

  @Test
  void anAcceptedWakeUpIsExactlyTheContentFreeDataMessage() {
    String token = token();
    int before = google.received.size();

    assertThat(send(sender(), token)).isEqualTo(new PushOutcome.Accepted());

    assertThat(google.received).hasSize(before + 1);
    assertThat(google.received.get(before).body()).isEqualTo(new JsonObject().put("message", new JsonObject()
        .put("token", token)
        .put("data", new JsonObject().put("wake", "1"))
        .put("android", new JsonObject().put("priority", "HIGH").put("collapse_key", WakeUp.COLLAPSE_ID)
            .put("ttl", TestPushConfigs.TTL.toSeconds() + "s"))));
  }

  @Test
  void anUnregisteredTokenIsGone() {
    assertThat(answeredWith(new FakeGoogle.Answer(404, null, FakeGoogle.error(404, "NOT_FOUND", "UNREGISTERED"))))
        .isEqualTo(new PushOutcome.Gone("UNREGISTERED"));
  }

  @Test
  void anInvalidArgumentNamingTheTokenIsGoneAndAnyOtherFails() {
    assertThat(answeredWith(new FakeGoogle.Answer(400, null, FakeGoogle.error(400, "INVALID_ARGUMENT",
        "INVALID_ARGUMENT", FakeGoogle.badField("message.token")))))
        .isEqualTo(new PushOutcome.Gone("INVALID_ARGUMENT"));
    assertThat(answeredWith(new FakeGoogle.Answer(400, null, FakeGoogle.error(400, "INVALID_ARGUMENT",
        "INVALID_ARGUMENT", FakeGoogle.badField("message.android.ttl")))))
        .isEqualTo(new PushOutcome.Failed("INVALID_ARGUMENT"));
  }

  @Test
  void quotaExceededIsRetriedAfterTheRetryAfterFcmSent() {
    assertThat(answeredWith(new FakeGoogle.Answer(429, "17", FakeGoogle.error(429, "RESOURCE_EXHAUSTED",
        "QUOTA_EXCEEDED")))).isEqualTo(new PushOutcome.Retry(Duration.ofSeconds(17), "QUOTA_EXCEEDED"));
  }

  @Test
  void unavailableAndInternalAreRetried() {
    assertThat(answeredWith(new FakeGoogle.Answer(503, null, FakeGoogle.error(503, "UNAVAILABLE", "UNAVAILABLE"))))
        .isEqualTo(new PushOutcome.Retry(null, "UNAVAILABLE"));
    assertThat(answeredWith(new FakeGoogle.Answer(500, null, FakeGoogle.error(500, "INTERNAL", "INTERNAL"))))
        .isEqualTo(new PushOutcome.Retry(null, "INTERNAL"));
  }

  @Test
  void aTokenOfAnotherProjectFailsWithoutRemovingTheRegistration() {
    assertThat(answeredWith(new FakeGoogle.Answer(403, null, FakeGoogle.error(403, "PERMISSION_DENIED",
        "SENDER_ID_MISMATCH")))).isEqualTo(new PushOutcome.Failed("SENDER_ID_MISMATCH"));
  }

  @Test
  void aKeyTheTokenEndpointDoesNotKnowFailsAndNothingReachesFcm() {
    int refused = google.assertionsRefused.get();
    int before = google.received.size();

    assertThat(send(sender(FakeGoogle.rsaKeyPair(), google.tokenUrl(), "", google.baseUrl()), token()))
        .isEqualTo(new PushOutcome.Failed("credential"));

    assertThat(google.assertionsRefused.get()).isEqualTo(refused + 1);
    assertThat(google.received).hasSize(before);
  }

  @Test
  void theAccessTokenIsReusedUntilNearItsExpiryThenRefreshed() {
    FcmSender sender = sender();
    int issued = google.tokensIssued.get();
    int before = google.received.size();
    for (int i = 0; i < 3; i++) {
      assertThat(send(sender, token())).isEqualTo(new PushOutcome.Accepted());
    }
    assertThat(google.tokensIssued.get()).as("one token for three sends").isEqualTo(issued + 1);
    assertThat(google.received.subList(before, before + 3)).extracting(FakeGoogle.Request::bearer)
        .containsOnly(google.received.get(before).bearer());

    google.expiresIn = (int) FcmAccessTokens.REFRESH_MARGIN.toSeconds() - 1;
    FcmSender shortLived = sender();
    int issuedShort = google.tokensIssued.get();
    assertThat(send(shortLived, token())).isEqualTo(new PushOutcome.Accepted());
    assertThat(send(shortLived, token())).isEqualTo(new PushOutcome.Accepted());

    assertThat(google.tokensIssued.get()).as("a token about to expire is replaced").isEqualTo(issuedShort + 2);
    assertThat(google.received.get(before + 3).bearer()).isNotEqualTo(google.received.get(before + 4).bearer());
  }

  @Test
  void anAccessTokenRevokedBeforeItsExpiryIsReplacedOnce() {
    FcmSender sender = sender();
    assertThat(send(sender, token())).isEqualTo(new PushOutcome.Accepted());
    int issued = google.tokensIssued.get();

    google.revokeIssuedTokens();

    assertThat(send(sender, token())).isEqualTo(new PushOutcome.Accepted());
    assertThat(google.tokensIssued.get()).isEqualTo(issued + 1);
  }

  @Test
  void pushFcmTokenUrlOverridesTheKeysTokenUri() {
    FcmSender sender = sender(google.serviceKey, "http://127.0.0.1:" + FreePort.pick() + "/token", google.tokenUrl(),
        google.baseUrl());

    assertThat(send(sender, token())).isEqualTo(new PushOutcome.Accepted());
  }

  @Test
  void anUnreachableFcmIsRetried() {
    FcmSender sender = sender(google.serviceKey, google.tokenUrl(), "", "http://127.0.0.1:" + FreePort.pick());

    assertThat(send(sender, token())).isEqualTo(new PushOutcome.Retry(null, "network"));
  }

  @Test
  void retryAfterIsReadInSecondsOrAsAnHttpDate() {
    Instant now = Instant.parse("2026-12-08T10:00:00Z");

    assertThat(FcmOutcomes.retryAfter("120", now)).isEqualTo(Duration.ofMinutes(2));
    assertThat(FcmOutcomes.retryAfter("Tue, 08 Dec 2026 10:00:30 GMT", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(FcmOutcomes.retryAfter("Tue, 08 Dec 2026 09:00:00 GMT", now)).isEqualTo(Duration.ZERO);
    assertThat(FcmOutcomes.retryAfter("soon", now)).isNull();
    assertThat(FcmOutcomes.retryAfter(null, now)).isNull();
  }
}
