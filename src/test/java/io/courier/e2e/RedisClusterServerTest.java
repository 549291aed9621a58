package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestKeys;
import io.courier.testing.WireClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server on a 3-master Redis Cluster: accounts and tokens, devices and link codes, the key directory,
 * sends with device-set checks, receipts and attachments records all keep to one hash slot per call (a script
 * or batch touching two slots fails here, not on a standalone Redis).
 */
class RedisClusterServerTest {
  @RegisterExtension
  static final ServerExtension SERVER = ServerExtension.onRedisCluster();


  @Test
  void accountsTokensDevicesAndKeysWorkOnACluster() {
    Session alice = SERVER.accounts().register("alice");
    HttpResponse<Buffer> refreshed = SERVER.call(HttpMethod.POST, "/v1/sessions/refresh", null,
        new JsonObject().put("refreshToken", alice.refreshToken()));
    assertThat(refreshed.statusCode()).isEqualTo(200);

    String code = SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", alice, new JsonObject()).bodyAsJsonObject()
        .getString("code");
    JsonObject linked = SERVER.call(HttpMethod.POST, "/v1/devices/link", null, new JsonObject().put("code", code))
        .bodyAsJsonObject();
    assertThat(linked.getInteger("device")).isEqualTo(2);
    assertThat(SERVER.call(HttpMethod.GET, "/v1/devices", alice, null).bodyAsJsonObject().getJsonArray("devices"))
        .hasSize(2);

    assertThat(SERVER.call(HttpMethod.PUT, "/v1/keys", alice, TestKeys.identity(42, 5)).statusCode()).isEqualTo(204);
    Session bob = SERVER.accounts().register("bob");
    JsonObject bundle = SERVER.call(HttpMethod.GET, "/v1/keys/" + alice.account(), bob, null).bodyAsJsonObject()
        .getJsonArray("devices").getJsonObject(0);
    assertThat(bundle.getInteger("registrationId")).isEqualTo(42);
    assertThat(SERVER.call(HttpMethod.GET, "/v1/keys/count", alice, null).bodyAsJsonObject().getLong("preKeys"))
        .isEqualTo(4);

    assertThat(SERVER.call(HttpMethod.DELETE, "/v1/devices/2", alice, null).statusCode()).isEqualTo(204);
    assertThat(SERVER.call(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", 100)).statusCode())
        .isEqualTo(201);
  }

  @Test
  void sendsSyncCopiesAndReceiptsWorkOnACluster() {
    Session alice = SERVER.accounts().register("alice");
    Session aliceLaptop = SERVER.accounts().login(alice.account());
    Session bob = SERVER.accounts().register("bob");
    SERVER.call(HttpMethod.PUT, "/v1/keys", bob, TestKeys.identity(7, 1));
    try (WireClient a = SERVER.connect(alice); WireClient l = SERVER.connect(aliceLaptop);
         WireClient b = SERVER.connect(bob)) {
      a.expect("drained");
      l.expect("drained");
      b.expect("drained");
      a.send(new JsonObject().put("type", "send").put("id", "m1").put("to", bob.account())
          .put("envelopes", new JsonArray().add(new JsonObject().put("device", 1).put("registrationId", 7)
              .put("ciphertext", "aGk=")))
          .put("sync", new JsonArray().add(new JsonObject().put("device", aliceLaptop.device())
              .put("ciphertext", "aGk="))));
      a.expect("sent");
      assertThat(l.expect("message").getString("to")).isEqualTo(bob.account());
      JsonObject message = b.expect("message");
      b.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(message.getString("entry"))));
      assertThat(a.expect("receipt").getString("kind")).isEqualTo("delivered");
      assertThat(l.expect("receipt").getString("kind")).isEqualTo("delivered");
    }
  }
}
