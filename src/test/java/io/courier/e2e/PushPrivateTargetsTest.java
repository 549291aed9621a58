package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Only Web Push on, with {@code push.allowPrivateTargets=true} (tests and development). */
class PushPrivateTargetsTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("push.enabled=true", "push.webPush.enabled=true",
      "push.allowPrivateTargets=true");

  @Test
  void kindsWhoseProviderIsOffAreRefused() {
    Session phone = SERVER.accounts().register("kinds");
    for (var body : List.of(PushRegistrationTest.apns(PushRegistrationTest.apnsToken()),
        PushRegistrationTest.fcm(PushRegistrationTest.fcmToken()))) {
      PushRegistrationTest.assertRefused(SERVER.call(HttpMethod.PUT, "/v1/push", phone, body),
          "PUSH_KIND_DISABLED");
    }
    assertThat(SERVER.call(HttpMethod.GET, "/v1/push", phone, null).bodyAsJsonObject().getString("kind")).isNull();
  }

  @Test
  void loopbackPrivateAndHttpEndpointsAreAccepted() {
    Session phone = SERVER.accounts().register("private");
    for (String endpoint : List.of("https://127.0.0.1/push/1", "https://10.1.2.3/push/1",
        "https://192.168.1.1/push/1", "https://[::1]/push/1", "https://localhost:8443/push/1",
        "http://127.0.0.1:9/push/1")) {
      HttpResponse<Buffer> answer = SERVER.call(HttpMethod.PUT, "/v1/push", phone,
          PushRegistrationTest.webPush(endpoint));
      assertThat(answer.statusCode()).as(endpoint + " " + answer.bodyAsString()).isEqualTo(204);
      assertThat(SERVER.redis().command("HGET", "pushtarget:{u:" + phone.account() + "}:" + phone.device(),
          "endpoint")).isEqualTo(endpoint);
    }
  }

  @Test
  void theVapidPublicKeyIsPublishedAndStable() {
    HttpResponse<Buffer> first = SERVER.call(HttpMethod.GET, "/v1/push/vapid", null, null);
    assertThat(first.statusCode()).isEqualTo(200);
    String key = first.bodyAsJsonObject().getString("applicationServerKey");
    byte[] point = Base64.getUrlDecoder().decode(key);
    assertThat(point).hasSize(65);
    assertThat(point[0]).isEqualTo((byte) 4);
    assertThat(io.courier.push.PushTargetJsonAccess.isP256Point(point)).isTrue();
    assertThat(SERVER.call(HttpMethod.GET, "/v1/push/vapid", null, null).bodyAsJsonObject()
        .getString("applicationServerKey")).isEqualTo(key);
  }
}
