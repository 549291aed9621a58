package io.courier.client;

import io.vertx.core.json.JsonObject;

/**
 * The tokens of one logged-in device, as returned by log-in and refresh ({@code POST /v1/sessions},
 * {@code POST /v1/sessions/refresh}).
 *
 * @param account the account id (for local accounts, the username)
 * @param device the device number, from 1; every log-in creates a new device
 * @param accessToken the ES256 JWT to present as {@code Authorization: Bearer <token>}
 * @param expiresIn lifetime of the access token in seconds, counted from when the server issued it
 * @param refreshToken the single-use token that {@link AccountApi#refresh(String)} rotates
 */
public record Session(String account, int device, String accessToken, long expiresIn, String refreshToken) {

  /** Reads the log-in / refresh response body; unknown fields are ignored. */
  static Session fromJson(JsonObject body) {
    return new Session(
        body.getString("account"),
        body.getInteger("device"),
        body.getString("accessToken"),
        body.getLong("expiresIn"),
        body.getString("refreshToken"));
  }
}
