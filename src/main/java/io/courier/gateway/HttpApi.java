package io.courier.gateway;

import io.courier.auth.Accounts;
import io.courier.limits.RateLimiter;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API of docs/PROTOCOL.md §1: register, log in, refresh, log out. Every failure, here and in the
 * WebSocket handshake, goes through {@link #failure}: a {@link ProtocolException} becomes its code's status and
 * the body {@code {"code","message"}}; anything else is logged once and answered {@code INTERNAL}.
 */
final class HttpApi {
  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  /** Largest request body accepted: room for a key upload of 100 Kyber pre-keys (about 215 KB). */
  static final long MAX_BODY_BYTES = 512 * 1024;

  private final Gateway gateway;
  private final DevicesApi devices;
  /** {@link io.courier.limits.RateLimit#REGISTER}: registration attempts per client address. */
  private final RateLimiter registrations;
  private final ClientAddresses addresses;

  HttpApi(Gateway gateway, DevicesApi devices, RateLimiter registrations, ClientAddresses addresses) {
    this.gateway = gateway;
    this.devices = devices;
    this.registrations = registrations;
    this.addresses = addresses;
  }

  void mount(Router router) {
    router.post("/v1/accounts").handler(this::register);
    router.post("/v1/sessions").handler(this::login);
    router.post("/v1/sessions/refresh").handler(this::refresh);
    router.delete("/v1/sessions").handler(this::logout);
  }

  /** Every attempt counts, before any work: an attacker has no account yet, so the limit is per client address. */
  private void register(RoutingContext rc) {
    registrations.take(addresses.of(rc.request()))
        .compose(v -> Http.body(rc))
        .compose(body -> gateway.accounts().register(FrameCodec.requiredText(body, "username"),
            FrameCodec.requiredText(body, "password")).map(FrameCodec.requiredText(body, "username")))
        .onSuccess(account -> Http.json(rc, 201, new JsonObject().put("account", account)))
        .onFailure(rc::fail);
  }

  private void login(RoutingContext rc) {
    Http.body(rc)
        .compose(body -> gateway.accounts().login(FrameCodec.requiredText(body, "username"),
            FrameCodec.requiredText(body, "password"),
            body.hasNonNull("deviceName") ? body.get("deviceName").asText() : null))
        .onSuccess(session -> Http.json(rc, 200, sessionJson(session)))
        .onFailure(rc::fail);
  }

  private void refresh(RoutingContext rc) {
    Http.body(rc)
        .compose(body -> gateway.accounts().refresh(FrameCodec.requiredText(body, "refreshToken")))
        .onSuccess(session -> Http.json(rc, 200, sessionJson(session)))
        .onFailure(rc::fail);
  }

  /** Logging out is unlinking one's own device. */
  private void logout(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(devices::remove)
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  static JsonObject sessionJson(Accounts.Session s) {
    return new JsonObject()
        .put("account", s.device().account())
        .put("device", s.device().device())
        .put("accessToken", s.accessToken())
        .put("expiresIn", s.expiresIn())
        .put("refreshToken", s.refreshToken());
  }

  /** The router's failure handler: one translation of failures into HTTP answers. */
  static void failure(RoutingContext rc) {
    Throwable e = rc.failure();
    int status = e instanceof HttpException h ? h.getStatusCode() : rc.statusCode();
    ProtocolException refusal;
    if (e instanceof ProtocolException p) {
      refusal = p;
    } else if (status == 413) {
      refusal = new ProtocolException(ErrorCode.BODY_TOO_LARGE, "request bodies are at most " + MAX_BODY_BYTES
          + " bytes");
    } else if (status == 404 || status == 405) {
      refusal = new ProtocolException(ErrorCode.NOT_FOUND, "no such route");
    } else if (status >= 400 && status < 500) {
      refusal = new ProtocolException(ErrorCode.MALFORMED_JSON, "the request could not be read");
    } else {
      log.atWarn().setCause(e).addKeyValue("path", rc.request().path()).log("request failed unexpectedly");
      refusal = new ProtocolException(ErrorCode.INTERNAL, "internal error");
    }
    if (refusal.retryAfterMillis() > 0) {
      rc.response().putHeader("Retry-After", Long.toString((refusal.retryAfterMillis() + 999) / 1000));
    }
    Http.json(rc, refusal.code().status(), new JsonObject().put("code", refusal.code().name())
        .put("message", refusal.getMessage()));
  }
}
