package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The whole chain with the server's own parts only: a device registers a Web Push subscription over the API, goes
 * away, a burst of messages arrives, and the push service (here, in the test, on loopback) gets one wake-up that
 * the subscription's keys decrypt to {@link WakeUp#DATA} (with the test's own RFC 8291 code, not the sender's
 * library). The window is long, so no second wake-up belongs in this test.
 */
class PushEndToEndTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("push.enabled=true", "push.webPush.enabled=true",
      "push.allowPrivateTargets=true", "push.window=PT5M", "push.grace=PT0S");

  static Vertx vertx;
  static HttpServer service;
  static final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();

  @BeforeAll
  static void startPushService() {
    vertx = Vertx.vertx();
    service = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      received.add(body.getBytes());
      request.response().setStatusCode(201).end();
    })).listen(0, "127.0.0.1").await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void aBurstForADeviceThatIsAwayWakesItOnceWithAnEncryptedContentFreePayload() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    KeyPair keys = PushTestKeys.p256();
    byte[] auth = new byte[16];
    new SecureRandom().nextBytes(auth);
    JsonObject subscription = new JsonObject().put("kind", "webpush")
        .put("endpoint", "http://127.0.0.1:" + service.actualPort() + "/push/bob")
        .put("keys", new JsonObject()
            .put("p256dh", PushTestKeys.base64url(PushTestKeys.uncompressed((ECPublicKey) keys.getPublic())))
            .put("auth", PushTestKeys.base64url(auth)));
    assertThat(SERVER.call(HttpMethod.PUT, "/v1/push", bob, subscription).statusCode()).isEqualTo(204);

    double due = SERVER.metric("courier_push_due_total", "");
    double coalesced = SERVER.metric("courier_push_coalesced_total", "");
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int i = 0; i < 5; i++) {
        a.send(new JsonObject().put("type", "send").put("id", "burst-" + i).put("to", bob.account())
            .put("envelopes", new JsonArray().add(new JsonObject().put("device", bob.device())
                .put("ciphertext", "aGk="))));
        a.expect("sent");
      }
    }

    byte[] body = received.poll(20, TimeUnit.SECONDS);
    assertThat(body).as("the push service got a wake-up").isNotNull();
    assertThat(new String(Rfc8291.decrypt(body, keys, auth), StandardCharsets.UTF_8)).isEqualTo(WakeUp.DATA);
    assertThat(SERVER.metric("courier_push_due_total", "") - due).as("one wake-up due for the burst")
        .isEqualTo(1);
    assertThat(SERVER.metric("courier_push_coalesced_total", "") - coalesced).as("the rest coalesced")
        .isEqualTo(4);
    assertThat(received).as("nothing more within the window").isEmpty();
  }
}
