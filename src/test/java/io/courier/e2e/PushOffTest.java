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

/** {@code push.enabled=false} (the default): the routes do not exist. */
class PushOffTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @Test
  void everyPushRouteIsNotFound() {
    Session phone = SERVER.accounts().register("nopush");
    for (HttpMethod method : List.of(HttpMethod.PUT, HttpMethod.GET, HttpMethod.DELETE)) {
      HttpResponse<Buffer> answer = SERVER.call(method, "/v1/push", phone,
          PushRegistrationTest.webPush("https://127.0.0.1/push/1"));
      assertThat(answer.statusCode()).as(method.name()).isEqualTo(404);
      assertThat(answer.bodyAsJsonObject().getString("code")).isEqualTo("NOT_FOUND");
    }
    assertThat(SERVER.call(HttpMethod.GET, "/v1/push/vapid", null, null).statusCode()).isEqualTo(404);
  }
}
