package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.config.ConfigLoader;
import io.courier.config.PushConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link WebPushSender} against a push service written here: a real HTTP server on loopback that checks the VAPID
 * JWT with the server's public key and decrypts the body with the subscription's private key by its own RFC 8291
 * code ({@link Rfc8291}), then answers as the test says. Loopback needs {@code push.allowPrivateTargets} (which
 * also allows its {@code http}); production endpoints are https only.
 */
class WebPushSenderTest {
  static Vertx vertx;
  static HttpServer service;
  static Path dataDir;
  static PushConfig config;
  static VapidKeyPair vapid;
  static WebPushSender sender;
  /** What the push service got: method, path, headers and body of each request. */
  static final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  /** How it answers the next requests: status and headers. */
  static final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(201, Map.of()));

  record Received(String method, String path, Map<String, String> headers, byte[] body) {}

  record Answer(int status, Map<String, String> headers) {}

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    service = vertx.createHttpServer().requestHandler(request -> {
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      request.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
      request.body().onSuccess(body -> {
        received.add(new Received(request.method().name(), request.uri(), headers, body.getBytes()));
        Answer now = answer.get();
        now.headers().forEach(request.response()::putHeader);
        request.response().setStatusCode(now.status()).end();
      });
    }).listen(0, "127.0.0.1").await();
    dataDir = Files.createTempDirectory("courier-webpush-");
    config = config(true);
    vapid = VapidKeyPair.load(config.webPush(), dataDir, Map.of());
    sender = new WebPushSender(vertx, config, vapid);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static PushConfig config(boolean allowPrivateTargets) {
    return new ConfigLoader(Map.of()).load(Path.of("config/courier.yaml"), List.of("redis.url=redis://127.0.0.1:1",
        "dataDir=" + dataDir, "push.enabled=true", "push.webPush.enabled=true", "push.ttl=PT1H",
        "push.webPush.subject=mailto:ops@courier.test", "push.allowPrivateTargets=" + allowPrivateTargets)).push();
  }

  /** A browser's subscription: its key pair and auth secret, and the target the server keeps for it. */
  record Subscription(KeyPair keys, byte[] auth, PushTarget.WebPush target) {
    static Subscription at(String endpoint) {
      KeyPair keys = PushTestKeys.p256();
      byte[] auth = new byte[16];
      new java.security.SecureRandom().nextBytes(auth);
      return new Subscription(keys, auth, new PushTarget.WebPush(endpoint,
          PushTestKeys.base64url(PushTestKeys.uncompressed((ECPublicKey) keys.getPublic())),
          PushTestKeys.base64url(auth)));
    }
  }

  static String origin() {
    return "http://127.0.0.1:" + service.actualPort();
  }

  static PushOutcome send(Subscription s) {
    return sender.send(s.target()).await();
  }

  static Received next() throws InterruptedException {
    Received r = received.poll(10, TimeUnit.SECONDS);
    assertThat(r).as("the push service got a request").isNotNull();
    return r;
  }

  @Test
  void anAcceptedWakeUpCarriesTheEncryptedWakeUpAndAValidVapidJwt() throws Exception {
    answer.set(new Answer(201, Map.of()));
    Subscription s = Subscription.at(origin() + "/push/sub-1?x=1");

    assertThat(send(s)).isEqualTo(new PushOutcome.Accepted());

    Received r = next();
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/push/sub-1?x=1");
    assertThat(r.headers()).containsEntry("TTL", "3600").containsEntry("Urgency", "high")
        .containsEntry("Topic", WakeUp.COLLAPSE_ID).containsEntry("Content-Encoding", "aes128gcm");
    // 86 bytes of header (salt, record size, key id length, the sender's key), 10 of data, the delimiter, the tag.
    assertThat(r.body()).hasSize(113);
    byte[] plaintext = Rfc8291.decrypt(r.body(), s.keys(), s.auth());
    assertThat(new String(plaintext, StandardCharsets.UTF_8)).isEqualTo(WakeUp.DATA);

    String authorization = r.headers().get("Authorization");
    assertThat(authorization).startsWith("vapid t=");
    String jwt = authorization.substring("vapid t=".length(), authorization.indexOf(','));
    String k = authorization.substring(authorization.indexOf("k=") + 2).trim();
    assertThat(k).isEqualTo(vapid.applicationServerKey());
    String[] parts = jwt.split("\\.");
    assertThat(parts).hasSize(3);
    Base64.Decoder b64 = Base64.getUrlDecoder();
    assertThat(new JsonObject(new String(b64.decode(parts[0]), StandardCharsets.UTF_8)).getString("alg"))
        .isEqualTo("ES256");
    Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
    verifier.initVerify(vapid.publicKey());
    verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(verifier.verify(b64.decode(parts[2]))).as("signed by the server's VAPID key").isTrue();
    JsonObject claims = new JsonObject(new String(b64.decode(parts[1]), StandardCharsets.UTF_8));
    assertThat(claims.getString("aud")).isEqualTo(origin());
    assertThat(claims.getString("sub")).isEqualTo("mailto:ops@courier.test");
    long now = Instant.now().getEpochSecond();
    assertThat(claims.getLong("exp")).isGreaterThan(now).isLessThanOrEqualTo(now + Duration.ofHours(24).toSeconds());
  }

  @Test
  void goneSubscriptionsAreGone() throws Exception {
    for (int status : List.of(410, 404)) {
      answer.set(new Answer(status, Map.of()));
      assertThat(send(Subscription.at(origin() + "/push/gone"))).isEqualTo(new PushOutcome.Gone("" + status));
      next();
    }
  }

  @Test
  void tooManyRequestsIsRetriedAfterTheServicesWait() throws Exception {
    answer.set(new Answer(429, Map.of("Retry-After", "7")));
    assertThat(send(Subscription.at(origin() + "/push/busy")))
        .isEqualTo(new PushOutcome.Retry(Duration.ofSeconds(7), "429"));
    next();
    String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(120));
    answer.set(new Answer(503, Map.of("Retry-After", date)));
    PushOutcome outcome = send(Subscription.at(origin() + "/push/busy"));
    assertThat(outcome).isInstanceOf(PushOutcome.Retry.class);
    assertThat(((PushOutcome.Retry) outcome).after()).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(120));
    assertThat(((PushOutcome.Retry) outcome).reason()).isEqualTo("503");
    next();
  }

  @Test
  void serverErrorsAreRetriedWithTheWorkersBackoff() throws Exception {
    answer.set(new Answer(500, Map.of()));
    assertThat(send(Subscription.at(origin() + "/push/broken"))).isEqualTo(new PushOutcome.Retry(null, "500"));
    next();
  }

  @Test
  void refusalsThatRetryingWillNotFixAreFailed() throws Exception {
    for (int status : List.of(400, 403, 413)) {
      answer.set(new Answer(status, Map.of()));
      assertThat(send(Subscription.at(origin() + "/push/refused"))).isEqualTo(new PushOutcome.Failed("" + status));
      next();
    }
  }

  @Test
  void aServiceThatCannotBeReachedIsRetried() {
    // A port nobody listens on: connection refused.
    int closed = io.courier.testing.FreePort.pick();
    assertThat(send(Subscription.at("http://127.0.0.1:" + closed + "/push/x")))
        .isEqualTo(new PushOutcome.Retry(null, "network"));
  }

  @Test
  void anEndpointThatNowResolvesToAPrivateAddressIsNotCalled() {
    WebPushSender guarded = new WebPushSender(vertx, config(false), vapid);
    try {
      received.clear();
      assertThat(guarded.send(Subscription.at(origin() + "/push/rebound").target()).await())
          .isEqualTo(new PushOutcome.Failed("forbidden-address"));
      assertThat(guarded.send(Subscription.at("https://localhost:" + service.actualPort() + "/push/rebound")
          .target()).await()).isEqualTo(new PushOutcome.Failed("forbidden-address"));
      assertThat(received).as("no request reached the service").isEmpty();
    } finally {
      guarded.close().await();
    }
  }

  @Test
  void retryAfterReadsSecondsAndHttpDates() {
    Instant now = Instant.parse("2026-12-08T10:00:00Z");
    assertThat(WebPushSender.retryAfter("30", now)).isEqualTo(Duration.ofSeconds(30));
    assertThat(WebPushSender.retryAfter("Tue, 08 Dec 2026 10:01:30 GMT", now)).isEqualTo(Duration.ofSeconds(90));
    assertThat(WebPushSender.retryAfter("Tue, 08 Dec 2026 09:00:00 GMT", now)).isEqualTo(Duration.ZERO);
    assertThat(WebPushSender.retryAfter("soon", now)).isNull();
    assertThat(WebPushSender.retryAfter(null, now)).isNull();
  }

  @Test
  void developmentVapidKeysAreGeneratedOnceOwnerOnlyAndReused() throws Exception {
    Path privateKey = dataDir.resolve("keys").resolve("vapid-private.pem");
    assertThat(privateKey).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKey))).isEqualTo("rw-------");
    VapidKeyPair again = VapidKeyPair.load(config.webPush(), dataDir, Map.of());
    assertThat(again.applicationServerKey()).isEqualTo(vapid.applicationServerKey());
    assertThat(Base64.getUrlDecoder().decode(vapid.applicationServerKey())).hasSize(65);
  }
}
