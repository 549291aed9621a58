package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.push.PushTestKeys;
import io.courier.testing.ServerExtension;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code limits.pushRegistrationsPerMinute}: registrations beyond it are refused and change nothing. */
class PushRegistrationLimitTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("push.enabled=true", "push.webPush.enabled=true",
      "push.allowPrivateTargets=true", "limits.pushRegistrationsPerMinute=3");

  static JsonObject subscription(String path) {
    return new JsonObject().put("kind", "webpush").put("endpoint", "http://127.0.0.1:9/" + path)
        .put("keys", new JsonObject().put("p256dh", PushTestKeys.p256dh()).put("auth", PushTestKeys.auth()));
  }

  @Test
  void registrationsBeyondTheLimitOfAnAccountAreRefusedAndLeaveTheTargetAsItWas() {
    Session carol = SERVER.accounts().register("carol");
    for (int i = 0; i < 3; i++) {
      assertThat(SERVER.call(HttpMethod.PUT, "/v1/push", carol, subscription("sub-" + i)).statusCode())
          .isEqualTo(204);
    }
    HttpResponse<Buffer> refused = SERVER.call(HttpMethod.PUT, "/v1/push", carol, subscription("sub-late"));
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.bodyAsJsonObject().getString("code")).isEqualTo("RATE_LIMITED");
    assertThat(Integer.parseInt(refused.getHeader("Retry-After"))).isPositive();
    assertThat(SERVER.redis().command("HGET", "pushtarget:{u:" + carol.account() + "}:" + carol.device(), "endpoint"))
        .as("the last accepted target stays").isEqualTo("http://127.0.0.1:9/sub-2");

    Session dave = SERVER.accounts().register("dave");
    assertThat(SERVER.call(HttpMethod.PUT, "/v1/push", dave, subscription("dave")).statusCode())
        .as("another account has its own budget").isEqualTo(204);
  }
}
