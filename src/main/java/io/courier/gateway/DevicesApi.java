package io.courier.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.auth.Accounts;
import io.courier.auth.Devices;
import io.courier.limits.RateLimiter;
import io.courier.prekeys.PreKeysRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolException;
import io.courier.push.PushRegistrations;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Devices of docs/PROTOCOL.md §1: list, link codes, link, unlink. Unlinking (and logging out, which is
 * unlinking oneself) removes the device record and refresh token, then the device's keys, mailbox and push target, then
 * closes its socket (4403) wherever it is connected.
 */
final class DevicesApi {
  /** Largest provisioning blob a link code may carry (base64 characters). */
  static final int MAX_PROVISIONING_CHARS = 8 * 1024;

  private final Gateway gateway;
  private final PushRegistrations push;
  /** {@link io.courier.limits.RateLimit#LINK}: redemptions, right or wrong, per client address. */
  private final RateLimiter links;
  /** {@link io.courier.limits.RateLimit#LINK_CODE}: link codes created per account. */
  private final RateLimiter linkCodes;
  private final ClientAddresses addresses;

  DevicesApi(Gateway gateway, PushRegistrations push, RateLimiter links, RateLimiter linkCodes,
      ClientAddresses addresses) {
    this.gateway = gateway;
    this.push = push;
    this.links = links;
    this.linkCodes = linkCodes;
    this.addresses = addresses;
  }

  void mount(Router router) {
    router.get("/v1/devices").handler(this::list);
    router.post("/v1/devices/link-codes").handler(this::createLinkCode);
    router.post("/v1/devices/link").handler(this::link);
    router.delete("/v1/devices/:device").handler(this::unlink);
  }

  private void list(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> gateway.devices().list(me.account(), PreKeysRedisKeys.registrationIds(me.account())))
        .onSuccess(devices -> {
          JsonArray array = new JsonArray();
          devices.forEach(d -> array.add(new JsonObject().put("device", d.device()).put("name", d.name())
              .put("created", d.created()).put("keys", d.keys())));
          Http.json(rc, 200, new JsonObject().put("devices", array));
        })
        .onFailure(rc::fail);
  }

  private void createLinkCode(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> linkCodes.take(me.account()).map(me))
        .compose(me -> Http.body(rc).map(DevicesApi::provisioning)
            .compose(provisioning -> gateway.devices().createLinkCode(me.account(), provisioning)))
        .onSuccess(code -> Http.json(rc, 201, new JsonObject().put("code", code)
            .put("expiresIn", gateway.config().devices().linkCodeTtl().toSeconds())))
        .onFailure(rc::fail);
  }

  private static String provisioning(JsonNode body) {
    JsonNode blob = body.get("provisioning");
    if (blob == null || blob.isNull()) {
      return null;
    }
    if (!blob.isTextual()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'provisioning' must be a base64 string");
    }
    if (blob.asText().length() > MAX_PROVISIONING_CHARS) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'provisioning' is at most " + MAX_PROVISIONING_CHARS
          + " characters");
    }
    if (!FrameCodec.isPaddedBase64(blob.asText())) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'provisioning' is not standard base64 (RFC 4648 §4, "
          + "padded)");
    }
    return blob.asText();
  }

  /**
   * Counted per client address before the code is looked at, so guessing codes is slow however they are spread
   * over accounts; a refused attempt leaves the code as it was.
   */
  private void link(RoutingContext rc) {
    links.take(addresses.of(rc.request()))
        .compose(v -> Http.body(rc))
        .compose(body -> gateway.devices().link(FrameCodec.requiredText(body, "code"),
            Accounts.deviceName(body.hasNonNull("deviceName") ? body.get("deviceName").asText() : null)))
        .compose(linked -> gateway.accounts().newSession(linked.device())
            .map(session -> HttpApi.sessionJson(session).put("provisioning", linked.provisioning())))
        .onSuccess(body -> Http.json(rc, 200, body))
        .onFailure(rc::fail);
  }

  private void unlink(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> remove(new DeviceId(me.account(), deviceNumber(rc.pathParam("device")))))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  /**
   * Removes a device everywhere: record and tokens first (so nothing new gets in), then keys, mailbox and push
   * target (removed whether or not {@code push.enabled}, so a target registered while it was on does not stay).
   */
  Future<Void> remove(DeviceId device) {
    return gateway.devices().remove(device)
        .compose(v -> Future.all(gateway.keys().delete(device), gateway.mailbox().delete(device),
            push.remove(device)))
        .<Void>mapEmpty()
        .andThen(done -> gateway.router().loggedOut(device));
  }

  private static int deviceNumber(String text) {
    try {
      int number = Integer.parseInt(text);
      if (number > 0) {
        return number;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device '" + text + "'");
  }
}
