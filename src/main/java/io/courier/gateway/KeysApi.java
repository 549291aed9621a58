package io.courier.gateway;

import io.courier.limits.RateLimiter;
import io.courier.prekeys.PreKeyJson;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.Ids;
import io.courier.protocol.ProtocolException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The key directory of docs/PROTOCOL.md §1: upload ({@code PUT /v1/keys}, {@code POST /v1/keys/prekeys}),
 * count, and bundle fetches, which consume one-time keys and are rate-limited per requesting account and target
 * account ({@code limits.bundleFetchesPerMinute}) against pre-key draining.
 */
final class KeysApi {
  private final Gateway gateway;
  private final PreKeyJson json;
  private final RateLimiter bundleLimiter;

  KeysApi(Gateway gateway, RateLimiter bundleLimiter) {
    this.gateway = gateway;
    this.json = new PreKeyJson(gateway.config().limits().maxPreKeysPerUpload());
    this.bundleLimiter = bundleLimiter;
  }

  void mount(Router router) {
    router.put("/v1/keys").handler(this::store);
    router.post("/v1/keys/prekeys").handler(this::add);
    router.get("/v1/keys/count").handler(this::count);
    router.get("/v1/keys/:account").handler(this::take);
    router.get("/v1/keys/:account/:device").handler(this::take);
  }

  private void store(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> Http.body(rc).map(json::deviceKeys).compose(keys -> gateway.keys().store(me, keys)))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private void add(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> Http.body(rc).map(json::batch).compose(batch -> gateway.keys().add(me, batch)))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private void count(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(gateway.keys()::count)
        .onSuccess(c -> Http.json(rc, 200, new JsonObject().put("preKeys", c.preKeys())
            .put("kyberPreKeys", c.kyberPreKeys())))
        .onFailure(rc::fail);
  }

  private void take(RoutingContext rc) {
    String account = rc.pathParam("account");
    String device = rc.pathParam("device");
    if (!Ids.isAccount(account)) {
      rc.fail(new ProtocolException(ErrorCode.UNKNOWN_ACCOUNT, "no account '" + account + "'"));
      return;
    }
    if (device != null && !device.matches("[1-9][0-9]{0,8}")) {
      rc.fail(new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device '" + device + "'"));
      return;
    }
    Http.authenticate(rc, gateway)
        .compose(me -> bundleLimiter.take(me.account(), account))
        .compose(v -> gateway.keys().take(account, device == null ? 0 : Integer.parseInt(device)))
        .onSuccess(bundles -> Http.json(rc, 200, PreKeyJson.bundles(account, bundles)))
        .onFailure(rc::fail);
  }
}
