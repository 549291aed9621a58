package io.courier.client.signal;

import io.courier.client.Session;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The Device endpoints (PROTOCOL.md §1 "Devices"): list this Account's Devices, make a link code with a
 * provisioning blob, link a new Device with a code, and unlink a Device.
 */
public final class DevicesApi {

  private final BearerWeb web;

  DevicesApi(BearerWeb web) {
    this.web = web;
  }

  /**
   * One Device of the Account.
   *
   * @param device the Device number
   * @param name the name given at log-in or link
   * @param created when it was created, ms since the epoch
   * @param keys whether it has uploaded its identity, so others can encrypt to it
   */
  public record DeviceInfo(int device, String name, long created, boolean keys) {
  }

  /**
   * A link code from {@code POST /v1/devices/link-codes}.
   *
   * @param code the one-time code, for example {@code K7QF-2M9D-XW4A}
   * @param expiresIn seconds until it stops working
   */
  public record LinkCode(String code, long expiresIn) {
  }

  /**
   * What {@code POST /v1/devices/link} answers.
   *
   * @param session the new Device's session, as a log-in gives it
   * @param provisioning the code's provisioning blob, or null when it had none
   */
  public record Linked(Session session, byte[] provisioning) {
  }

  /** {@code GET /v1/devices}. */
  public Future<List<DeviceInfo>> list() {
    return web.call(HttpMethod.GET, "/v1/devices", null, 200)
        .map(response -> devices(response.bodyAsJsonObject()));
  }

  /** {@code POST /v1/devices/link-codes} with {@code provisioning} (base64-encoded here; null for none). */
  public Future<LinkCode> createLinkCode(byte[] provisioning) {
    JsonObject body = new JsonObject();
    if (provisioning != null) {
      body.put("provisioning", Base64.getEncoder().encodeToString(provisioning));
    }
    return web.call(HttpMethod.POST, "/v1/devices/link-codes", body, 201)
        .map(response -> response.bodyAsJsonObject())
        .map(json -> new LinkCode(json.getString("code"), json.getLong("expiresIn", 0L)));
  }

  /** {@code DELETE /v1/devices/{device}}: unlinks a Device of this Account (itself or another). */
  public Future<Void> unlink(int device) {
    return web.call(HttpMethod.DELETE, "/v1/devices/" + device, null, 204).mapEmpty();
  }

  /** {@code POST /v1/devices/link} (no token): creates the new Device. */
  static Future<Linked> link(BearerWeb web, String code, String deviceName) {
    JsonObject body = new JsonObject().put("code", code).put("deviceName", deviceName);
    return web.post("/v1/devices/link", body, 200)
        .map(response -> linked(response.bodyAsJsonObject()));
  }

  private static Linked linked(JsonObject body) {
    Session session = new Session(body.getString("account"), body.getInteger("device"),
        body.getString("accessToken"), body.getLong("expiresIn"), body.getString("refreshToken"));
    String provisioning = body.getString("provisioning");
    return new Linked(session, provisioning == null ? null : Base64.getDecoder().decode(provisioning));
  }

  private static List<DeviceInfo> devices(JsonObject body) {
    List<DeviceInfo> devices = new ArrayList<>();
    for (Object item : body.getJsonArray("devices")) {
      JsonObject device = (JsonObject) item;
      devices.add(new DeviceInfo(device.getInteger("device"), device.getString("name", ""),
          device.getLong("created", 0L), device.getBoolean("keys", false)));
    }
    return devices;
  }
}
