package io.courier.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.config.PushConfig;
import io.courier.limits.RateLimiter;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.push.EndpointGuard;
import io.courier.push.PushRegistrations;
import io.courier.push.PushTarget;
import io.courier.push.PushTargetJson;
import io.courier.push.VapidKeyPair;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Push targets of docs/PROTOCOL.md §1 "Push", mounted only when {@code push.enabled} (otherwise the routes do not
 * exist: {@code 404 NOT_FOUND}).
 *
 * <ul>
 *   <li>{@code PUT /v1/push} (token): registers the device's target, replacing its last: {@code 204}. Errors:
 *       {@code MISSING_FIELD}, {@code INVALID_FIELD}, {@code PUSH_KIND_DISABLED}, {@code FORBIDDEN_PUSH_TARGET}.
 *   <li>{@code DELETE /v1/push} (token): removes it: {@code 204}, also when there was none.
 *   <li>{@code GET /v1/push} (token): {@code {"kind": "webpush"}}, or {@code {"kind": null}}; never the token.
 *   <li>{@code GET /v1/push/vapid}: {@code {"applicationServerKey": "<base64url>"}}; {@code PUSH_KIND_DISABLED}
 *       when Web Push is off.
 * </ul>
 */
final class PushApi {
  private final Gateway gateway;
  private final PushConfig config;
  private final PushRegistrations registrations;
  private final EndpointGuard guard;
  /** Null when Web Push is off. */
  private final VapidKeyPair vapid;
  /** {@link io.courier.limits.RateLimit#PUSH_TARGET}: registrations per account. */
  private final RateLimiter registrationLimiter;

  PushApi(Gateway gateway, PushRegistrations registrations, EndpointGuard guard, VapidKeyPair vapid,
      RateLimiter registrationLimiter) {
    this.gateway = gateway;
    this.config = gateway.config().push();
    this.registrations = registrations;
    this.guard = guard;
    this.vapid = vapid;
    this.registrationLimiter = registrationLimiter;
  }

  void mount(Router router) {
    router.put("/v1/push").handler(this::register);
    router.delete("/v1/push").handler(this::remove);
    router.get("/v1/push").handler(this::find);
    router.get("/v1/push/vapid").handler(this::vapid);
  }

  /**
   * Every check comes before any write: a refused registration leaves the device's target as it was. The limit
   * comes first, before the body is read and before any name is resolved.
   */
  private void register(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> registrationLimiter.take(me.account()).map(me))
        .compose(me -> Http.body(rc)
            .map(this::targetOrRefuse)
            .compose(target -> checkAddress(target).map(target))
            .compose(target -> registrations.register(me, target)))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private void remove(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(registrations::remove)
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private void find(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(registrations::find)
        .onSuccess(target -> Http.json(rc, 200, new JsonObject().put("kind", target.map(PushTarget::kind)
            .orElse(null))))
        .onFailure(rc::fail);
  }

  private void vapid(RoutingContext rc) {
    if (vapid == null) {
      rc.fail(disabled("webpush"));
      return;
    }
    Http.json(rc, 200, new JsonObject().put("applicationServerKey", vapid.applicationServerKey()));
  }

  private PushTarget targetOrRefuse(JsonNode body) {
    PushTarget target = PushTargetJson.read(body, config.allowPrivateTargets());
    boolean enabled = switch (target.kind()) {
      case "apns" -> config.apns().enabled();
      case "fcm" -> config.fcm().enabled();
      default -> config.webPush().enabled();
    };
    if (!enabled) {
      throw disabled(target.kind());
    }
    return target;
  }

  private Future<Void> checkAddress(PushTarget target) {
    return target instanceof PushTarget.WebPush web ? guard.checkOrRefuse(web.endpoint()) : Future.succeededFuture();
  }

  private static ProtocolException disabled(String kind) {
    return new ProtocolException(ErrorCode.PUSH_KIND_DISABLED, "this server does not send " + kind + " pushes");
  }
}
