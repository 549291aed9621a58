package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.auth.ApnsVerificationKey;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import com.eatthepath.pushy.apns.server.RejectedNotificationException;
import com.eatthepath.pushy.apns.server.RejectionReason;
import com.eatthepath.pushy.apns.server.ValidatingPushNotificationHandlerFactory;
import io.courier.config.PushConfig;
import io.courier.testing.FreePort;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * ApnsSender against Pushy's MockApnsServer over real TLS and HTTP/2: the validating handler checks the ES256
 * provider token against the verification key and the topic against the key's topics, as APNs does.
 */
class ApnsSenderTest {
  static final String KEY_ID = "KEYID12345";
  static final String TEAM_ID = "TEAMID1234";
  static final String TOPIC = "com.example.courier";
  /** A topic with devices but not one of the signing key's (another team's app). */
  static final String OTHER_TOPIC = "com.example.other";
  static final String GOOD = "a".repeat(64);
  static final String EXPIRED = "b".repeat(64);

  @TempDir
  static Path folder;
  static Vertx vertx;
  static TestCertificates tls;
  static KeyPair signing;
  static String certificates;
  static String signingKey;
  static MockApns apns;

  ApnsSender sender;

  @BeforeAll
  static void startApns() throws Exception {
    vertx = Vertx.vertx();
    tls = TestCertificates.loopback();
    certificates = "file:" + tls.writeCertificate(folder);
    signing = TestCertificates.ecKeyPair();
    signingKey = "file:" + TestCertificates.write(folder.resolve("AuthKey.p8"),
        TestCertificates.pem("PRIVATE KEY", signing.getPrivate().getEncoded()));
    apns = new MockApns(tls, validating(signing));
  }

  static PushNotificationHandlerFactory validating(KeyPair keys) throws Exception {
    ApnsVerificationKey verification = new ApnsVerificationKey(KEY_ID, TEAM_ID, (ECPublicKey) keys.getPublic());
    return new ValidatingPushNotificationHandlerFactory(Map.of(TOPIC, Set.of(GOOD, EXPIRED), OTHER_TOPIC,
        Set.of(GOOD)),
        Map.of(EXPIRED, Instant.now().minus(Duration.ofHours(1))), Map.of(KEY_ID, verification),
        Map.of(verification, Set.of(TOPIC)));
  }

  @AfterAll
  static void stopApns() throws Exception {
    apns.close();
    WireClient.await(vertx.close());
  }

  @AfterEach
  void closeSender() {
    if (sender != null) {
      WireClient.await(sender.close());
    }
  }

  static PushConfig config(int port, String key) {
    return TestPushConfigs.with(new PushConfig.ApnsConfig(true, key, KEY_ID, TEAM_ID, "127.0.0.1", port,
        certificates));
  }

  PushOutcome send(int port, PushTarget.Apns target) {
    sender = ApnsSender.create(vertx, config(port, signingKey), Map.of());
    return WireClient.await(sender.send(target));
  }

  @Test
  void anAcceptedWakeUpCarriesOnlyTheContentFreeAlert() {
    int before = apns.accepted.size();
    Instant sent = Instant.now();

    assertThat(send(apns.port, new PushTarget.Apns(GOOD, TOPIC, false))).isEqualTo(new PushOutcome.Accepted());

    assertThat(apns.accepted).hasSize(before + 1);
    MockApns.Received received = apns.accepted.get(before);
    assertThat(received.payload()).isEqualTo("{\"aps\":{\"alert\":{\"loc-key\":\"COURIER_WAKE\"},"
        + "\"mutable-content\":1}}");
    assertThat(received.headers()).containsEntry("apns-push-type", "alert").containsEntry("apns-priority", "10")
        .containsEntry("apns-collapse-id", WakeUp.COLLAPSE_ID).containsEntry("apns-topic", TOPIC)
        .containsEntry(":path", "/3/device/" + GOOD).containsKey("authorization");
    assertThat(received.headers().keySet()).as("nothing beyond the wake-up's headers")
        .containsOnly(":method", ":path", ":scheme", ":authority", "authorization", "apns-push-type",
            "apns-priority", "apns-collapse-id", "apns-topic", "apns-expiration");
    long expiration = Long.parseLong(received.headers().get("apns-expiration"));
    assertThat(expiration).isBetween(sent.plus(TestPushConfigs.TTL).getEpochSecond() - 1,
        Instant.now().plus(TestPushConfigs.TTL).getEpochSecond() + 1);
  }

  @Test
  void aTokenApnsDoesNotKnowForTheTopicIsGone() {
    assertThat(send(apns.port, new PushTarget.Apns("c".repeat(64), TOPIC, false)))
        .isEqualTo(new PushOutcome.Gone("DeviceTokenNotForTopic"));
  }

  @Test
  void anUnregisteredTokenIsGone() {
    assertThat(send(apns.port, new PushTarget.Apns(EXPIRED, TOPIC, false)))
        .isEqualTo(new PushOutcome.Gone("Unregistered"));
  }

  @Test
  void aMalformedTokenIsGone() {
    assertThat(send(apns.port, new PushTarget.Apns("not-a-device-token", TOPIC, false)))
        .isEqualTo(new PushOutcome.Gone("BadDeviceToken"));
  }

  @Test
  void aTopicTheKeyMayNotSendToFails() {
    assertThat(send(apns.port, new PushTarget.Apns(GOOD, OTHER_TOPIC, false)))
        .isEqualTo(new PushOutcome.Failed("InvalidProviderToken"));
  }

  @Test
  void aProviderTokenSignedByAnotherKeyFails() throws Exception {
    try (MockApns strict = new MockApns(tls, validating(TestCertificates.ecKeyPair()))) {
      assertThat(send(strict.port, new PushTarget.Apns(GOOD, TOPIC, false)))
          .isEqualTo(new PushOutcome.Failed("InvalidProviderToken"));
    }
  }

  @ParameterizedTest
  @EnumSource(value = RejectionReason.class,
      names = {"TOO_MANY_REQUESTS", "INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "SHUTDOWN"})
  void overloadAndServerErrorsAreRetriedWithTheWorkersBackoff(RejectionReason reason) throws Exception {
    PushNotificationHandlerFactory refusing = session -> (headers, payload) -> {
      throw new RejectedNotificationException(reason);
    };
    try (MockApns failing = new MockApns(tls, refusing)) {
      PushOutcome outcome = send(failing.port, new PushTarget.Apns(GOOD, TOPIC, false));

      assertThat(outcome).isInstanceOf(PushOutcome.Retry.class);
      assertThat(((PushOutcome.Retry) outcome).after()).as("APNs sends no Retry-After").isNull();
    }
  }

  @Test
  void anUnreachableServiceIsRetried() {
    assertThat(send(FreePort.pick(), new PushTarget.Apns(GOOD, TOPIC, false)))
        .isEqualTo(new PushOutcome.Retry(null, "network"));
  }
}
