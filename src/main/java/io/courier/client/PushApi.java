package io.courier.client;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.Objects;

/**
 * The device's push target (PROTOCOL.md §1 "Push"): register one (APNs, FCM or Web Push; it replaces the last),
 * remove it, see which kind is registered, and read the server's VAPID key for a browser's
 * {@code pushManager.subscribe}. What the app does when a wake-up arrives is in docs/CLIENT.md "Push".
 *
 * <p>Every call but {@link #vapidKey()} takes the device's access token. Failures are {@link CourierException}s
 * as with {@link AccountApi}: {@code INVALID_FIELD}, {@code PUSH_KIND_DISABLED}, {@code FORBIDDEN_PUSH_TARGET},
 * and {@code NOT_FOUND} when the server runs without push. Owns one {@link WebClient}; {@link #close()} releases it.
 */
public final class PushApi {
  private final WebClient web;
  private final String base;

  /** @param base the server's base URI, for example {@code http://127.0.0.1:8080} */
  public PushApi(Vertx vertx, URI base) {
    this.web = ServerWeb.create(vertx);
    this.base = AccountApi.stripTrailingSlash(Objects.requireNonNull(base, "base").toString());
  }

  /** An APNs device token (hex) for the app {@code topic} (its bundle id); {@code sandbox} for development builds. */
  public Future<Void> registerApns(String accessToken, String deviceToken, String topic, boolean sandbox) {
    return register(accessToken, new JsonObject().put("kind", "apns").put("token", deviceToken).put("topic", topic)
        .put("sandbox", sandbox));
  }

  /** An FCM registration token. */
  public Future<Void> registerFcm(String accessToken, String registrationToken) {
    return register(accessToken, new JsonObject().put("kind", "fcm").put("token", registrationToken));
  }

  /** A Web Push subscription: its {@code endpoint} and keys as {@code PushSubscription.toJSON()} gives them. */
  public Future<Void> registerWebPush(String accessToken, String endpoint, String p256dh, String auth) {
    return register(accessToken, new JsonObject().put("kind", "webpush").put("endpoint", endpoint)
        .put("keys", new JsonObject().put("p256dh", p256dh).put("auth", auth)));
  }

  /** {@code DELETE /v1/push}: the device gets no more wake-ups. */
  public Future<Void> remove(String accessToken) {
    return web.deleteAbs(base + "/v1/push")
        .bearerTokenAuthentication(accessToken)
        .send()
        .compose(response -> expect(response, 204))
        .mapEmpty();
  }

  /** The kind registered ({@code apns}, {@code fcm}, {@code webpush}), or null when none. */
  public Future<String> kind(String accessToken) {
    return web.getAbs(base + "/v1/push")
        .bearerTokenAuthentication(accessToken)
        .send()
        .compose(response -> expect(response, 200))
        .map(response -> response.bodyAsJsonObject().getString("kind"));
  }

  /** The server's VAPID public key, base64url: the {@code applicationServerKey} to subscribe with. */
  public Future<String> vapidKey() {
    return web.getAbs(base + "/v1/push/vapid")
        .send()
        .compose(response -> expect(response, 200))
        .map(response -> response.bodyAsJsonObject().getString("applicationServerKey"));
  }

  public void close() {
    web.close();
  }

  private Future<Void> register(String accessToken, JsonObject target) {
    return web.putAbs(base + "/v1/push")
        .bearerTokenAuthentication(accessToken)
        .sendJsonObject(target)
        .compose(response -> expect(response, 204))
        .mapEmpty();
  }

  private static Future<HttpResponse<Buffer>> expect(HttpResponse<Buffer> response, int status) {
    return response.statusCode() == status ? Future.succeededFuture(response)
        : Future.failedFuture(AccountApi.toException(response));
  }
}
