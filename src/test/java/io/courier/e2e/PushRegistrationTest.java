package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.push.PushTestKeys;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestPushCredentials;
import io.courier.testing.TestIds;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code PUT/GET/DELETE /v1/push} (docs/PROTOCOL.md §1 "Push") on a real server with every provider on and the
 * server-side request forgery guard on ({@code push.allowPrivateTargets=false}), checked in Redis too.
 */
class PushRegistrationTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(TestPushCredentials.with("push.enabled=true",
      "push.apns.enabled=true", "push.fcm.enabled=true", "push.webPush.enabled=true"));

  /** A public IP literal (no lookup needed): TEST-NET ranges would be refused as reserved. */
  static final String PUBLIC_ENDPOINT = "https://93.184.215.14/push/";

  static String apnsToken() {
    byte[] token = new byte[32];
    new java.security.SecureRandom().nextBytes(token);
    return java.util.HexFormat.of().formatHex(token);
  }

  static JsonObject apns(String token) {
    return new JsonObject().put("kind", "apns").put("token", token).put("topic", "chat.courier.app")
        .put("sandbox", true);
  }

  static JsonObject fcm(String token) {
    return new JsonObject().put("kind", "fcm").put("token", token);
  }

  static String fcmToken() {
    return "fR3x:APA91b" + TestIds.unique("t").replaceAll("[^A-Za-z0-9]", "") + "x".repeat(40);
  }

  static JsonObject webPush(String endpoint) {
    return new JsonObject().put("kind", "webpush").put("endpoint", endpoint).put("keys",
        new JsonObject().put("p256dh", PushTestKeys.p256dh()).put("auth", PushTestKeys.auth()));
  }

  static HttpResponse<Buffer> put(Session device, JsonObject body) {
    return SERVER.call(HttpMethod.PUT, "/v1/push", device, body);
  }

  static String kind(Session device) {
    HttpResponse<Buffer> answer = SERVER.call(HttpMethod.GET, "/v1/push", device, null);
    assertThat(answer.statusCode()).isEqualTo(200);
    return answer.bodyAsJsonObject().getString("kind");
  }

  static Map<String, String> stored(Session device) {
    @SuppressWarnings("unchecked")
    List<Object> flat = (List<Object>) SERVER.redis().command("HGETALL", "pushtarget:{u:" + device.account()
        + "}:" + device.device());
    Map<String, String> fields = new java.util.TreeMap<>();
    for (int i = 0; i < flat.size(); i += 2) {
      fields.put(String.valueOf(flat.get(i)), String.valueOf(flat.get(i + 1)));
    }
    return fields;
  }

  static Object owner(Map<String, String> target) {
    return SERVER.redis().command("GET", "pushtoken:{p:" + target.get("digest") + "}");
  }

  static void assertRefused(HttpResponse<Buffer> answer, String code) {
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(400);
    assertThat(answer.bodyAsJsonObject().getString("code")).as(answer.bodyAsString()).isEqualTo(code);
  }

  @Test
  void eachKindRegistersReplacesTheLastAndIsRemoved() {
    Session phone = SERVER.accounts().register("pusher");
    assertThat(kind(phone)).isNull();

    String token = apnsToken().toUpperCase();
    assertThat(put(phone, apns(token)).statusCode()).isEqualTo(204);
    assertThat(kind(phone)).isEqualTo("apns");
    Map<String, String> apns = stored(phone);
    assertThat(apns).containsEntry("kind", "apns").containsEntry("token", token.toLowerCase())
        .containsEntry("topic", "chat.courier.app").containsEntry("sandbox", "1");
    assertThat(owner(apns)).isEqualTo(phone.account() + ":" + phone.device());

    assertThat(put(phone, fcm(fcmToken())).statusCode()).isEqualTo(204);
    assertThat(kind(phone)).isEqualTo("fcm");
    assertThat(owner(apns)).as("the replaced token's index is gone").isNull();
    Map<String, String> fcm = stored(phone);
    assertThat(fcm.keySet()).containsExactlyInAnyOrder("kind", "token", "digest", "at");

    JsonObject web = webPush(PUBLIC_ENDPOINT + TestIds.unique("sub"));
    assertThat(put(phone, web).statusCode()).isEqualTo(204);
    assertThat(kind(phone)).isEqualTo("webpush");
    Map<String, String> stored = stored(phone);
    assertThat(stored).containsEntry("endpoint", web.getString("endpoint"))
        .containsEntry("p256dh", web.getJsonObject("keys").getString("p256dh"))
        .containsEntry("auth", web.getJsonObject("keys").getString("auth"));
    assertThat(owner(fcm)).isNull();

    HttpResponse<Buffer> removed = SERVER.call(HttpMethod.DELETE, "/v1/push", phone, null);
    assertThat(removed.statusCode()).isEqualTo(204);
    assertThat(kind(phone)).isNull();
    assertThat(stored(phone)).isEmpty();
    assertThat(owner(stored)).isNull();
    assertThat(SERVER.call(HttpMethod.DELETE, "/v1/push", phone, null).statusCode()).as("removing none").isEqualTo(204);
  }

  @Test
  void aTokenRegisteredByAnotherDeviceMovesToIt() {
    Session first = SERVER.accounts().register("mover");
    Session second = SERVER.accounts().login(first.account());
    String token = fcmToken();
    assertThat(put(first, fcm(token)).statusCode()).isEqualTo(204);
    Map<String, String> target = stored(first);

    assertThat(put(second, fcm(token)).statusCode()).isEqualTo(204);

    assertThat(kind(first)).isNull();
    assertThat(stored(first)).isEmpty();
    assertThat(kind(second)).isEqualTo("fcm");
    assertThat(owner(target)).isEqualTo(second.account() + ":" + second.device());
    // The first device registering something else must not take the token back from the second.
    assertThat(put(first, fcm(fcmToken())).statusCode()).isEqualTo(204);
    assertThat(owner(target)).isEqualTo(second.account() + ":" + second.device());
    assertThat(kind(second)).isEqualTo("fcm");
  }

  @Test
  void unlinkAndLogoutRemoveTheTargetAndItsIndex() {
    Session phone = SERVER.accounts().register("leaver");
    Session tablet = SERVER.accounts().login(phone.account());
    assertThat(put(tablet, apns(apnsToken())).statusCode()).isEqualTo(204);
    Map<String, String> tabletTarget = stored(tablet);
    assertThat(put(phone, fcm(fcmToken())).statusCode()).isEqualTo(204);
    Map<String, String> phoneTarget = stored(phone);

    assertThat(SERVER.call(HttpMethod.DELETE, "/v1/devices/" + tablet.device(), phone, null).statusCode())
        .isEqualTo(204);
    assertThat(stored(tablet)).isEmpty();
    assertThat(owner(tabletTarget)).isNull();
    assertThat(stored(phone)).isEqualTo(phoneTarget);

    assertThat(SERVER.call(HttpMethod.DELETE, "/v1/sessions", phone, null).statusCode()).isEqualTo(204);
    assertThat(stored(phone)).isEmpty();
    assertThat(owner(phoneTarget)).isNull();
  }

  @Test
  void badTargetsAreRefusedAndChangeNothing() {
    Session phone = SERVER.accounts().register("strict");
    assertThat(put(phone, apns(apnsToken())).statusCode()).isEqualTo(204);
    Map<String, String> before = stored(phone);
    String p256dh = PushTestKeys.p256dh();
    String auth = PushTestKeys.auth();
    byte[] offCurve = new byte[65];
    offCurve[0] = 4;
    offCurve[64] = 1;
    Map<JsonObject, String> refused = new java.util.LinkedHashMap<>();
    refused.put(new JsonObject(), "MISSING_FIELD");
    refused.put(new JsonObject().put("kind", "sms"), "INVALID_FIELD");
    refused.put(new JsonObject().put("kind", 1), "INVALID_FIELD");
    refused.put(new JsonObject().put("kind", "apns").put("topic", "chat.courier.app"), "MISSING_FIELD");
    refused.put(apns("abc"), "INVALID_FIELD");
    refused.put(apns("g".repeat(64)), "INVALID_FIELD");
    refused.put(apns("a".repeat(65)), "INVALID_FIELD");
    refused.put(apns("a".repeat(202)), "INVALID_FIELD");
    refused.put(apns(apnsToken()).put("topic", "nodots"), "INVALID_FIELD");
    refused.put(apns(apnsToken()).put("topic", "chat..app"), "INVALID_FIELD");
    refused.put(apns(apnsToken()).put("topic", "a." + "b".repeat(160)), "INVALID_FIELD");
    refused.put(apns(apnsToken()).put("sandbox", "yes"), "INVALID_FIELD");
    refused.put(apns(apnsToken()).put("endpoint", PUBLIC_ENDPOINT), "INVALID_FIELD");
    refused.put(fcm("short"), "INVALID_FIELD");
    refused.put(fcm("x".repeat(4097)), "INVALID_FIELD");
    refused.put(fcm(fcmToken() + " <script>"), "INVALID_FIELD");
    refused.put(fcm(fcmToken()).put("topic", "chat.courier.app"), "INVALID_FIELD");
    refused.put(new JsonObject().put("kind", "webpush").put("endpoint", PUBLIC_ENDPOINT), "MISSING_FIELD");
    refused.put(webPush("http://93.184.215.14/push/1"), "INVALID_FIELD");
    refused.put(webPush("ftp://93.184.215.14/push/1"), "INVALID_FIELD");
    refused.put(webPush("https://user:pw@93.184.215.14/push/1"), "INVALID_FIELD");
    refused.put(webPush("https://93.184.215.14/push/1#frag"), "INVALID_FIELD");
    refused.put(webPush("/push/1"), "INVALID_FIELD");
    refused.put(webPush("https://93.184.215.14/" + "p".repeat(2048)), "INVALID_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", "p256dh"), "INVALID_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("auth", auth)), "MISSING_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("p256dh", p256dh)), "MISSING_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("p256dh", p256dh.substring(2))
        .put("auth", auth)), "INVALID_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("p256dh",
        PushTestKeys.base64url(offCurve)).put("auth", auth)), "INVALID_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("p256dh", p256dh.replace('-', '+')
        .replace('_', '/') + "+/").put("auth", auth)), "INVALID_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("p256dh", p256dh)
        .put("auth", auth + "AA")), "INVALID_FIELD");
    refused.put(webPush(PUBLIC_ENDPOINT).put("keys", new JsonObject().put("p256dh", p256dh).put("auth", auth)
        .put("extra", "x")), "INVALID_FIELD");
    refused.forEach((body, code) -> {
      assertRefused(put(phone, body), code);
      assertThat(stored(phone)).as("after %s", body.encode()).isEqualTo(before);
    });
    HttpResponse<Buffer> noToken = SERVER.call(HttpMethod.PUT, "/v1/push", null, fcm(fcmToken()));
    assertThat(noToken.statusCode()).isEqualTo(401);
    assertThat(stored(phone)).isEqualTo(before);
  }

  @Test
  void endpointsAtLoopbackPrivateOrReservedAddressesAreRefused() {
    Session phone = SERVER.accounts().register("ssrf");
    for (String host : List.of("127.0.0.1", "127.1.2.3", "10.1.2.3", "172.16.0.9", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "[::1]", "[::]",
        "[fd00::1]", "[fe80::1]", "[::ffff:127.0.0.1]", "[64:ff9b::a00:1]", "[2002:a00:1::]", "localhost")) {
      HttpResponse<Buffer> answer = put(phone, webPush("https://" + host + "/push/1"));
      assertRefused(answer, "FORBIDDEN_PUSH_TARGET");
      assertThat(stored(phone)).as(host).isEmpty();
    }
    assertRefused(put(phone, webPush("https://no-such-host.invalid/push/1")), "FORBIDDEN_PUSH_TARGET");
    assertThat(put(phone, webPush(PUBLIC_ENDPOINT + "1")).statusCode()).isEqualTo(204);
  }
}
