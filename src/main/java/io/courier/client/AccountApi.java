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
 * The HTTP half of the protocol (PROTOCOL.md §1): register an account, log a device in, refresh its tokens,
 * log it out.
 *
 * <p>Owns one {@link WebClient}; {@link #close()} releases it. Every failure the server answers with an error body
 * becomes a {@link CourierException} with the body's {@code code}, the HTTP status and the body's
 * {@code message}; {@code Retry-After} (seconds) becomes {@link CourierException#retryAfterMillis()}.
 *
 * @implNote Nothing is retried here: a {@code RATE_LIMITED} or {@code UNAVAILABLE} answer reaches the caller as a
 *     temporary {@link CourierException}. Network failures (connection refused, reset) reach the caller unchanged.
 */
public final class AccountApi {

  private final WebClient web;
  private final String base;

  /**
   * @param vertx the Vert.x instance the web client runs on
   * @param base the server's base URI, for example {@code http://127.0.0.1:8080}; a path prefix is kept
   */
  public AccountApi(Vertx vertx, URI base) {
    this.web = ServerWeb.create(vertx);
    this.base = stripTrailingSlash(Objects.requireNonNull(base, "base").toString());
  }

  /** {@code POST /v1/accounts}: creates the account; the username is also the account id. */
  public Future<Void> register(String username, String password) {
    JsonObject body = new JsonObject().put("username", username).put("password", password);
    return web.postAbs(base + "/v1/accounts")
        .sendJsonObject(body)
        .compose(response -> expect(response, 201))
        .mapEmpty();
  }

  /** {@code POST /v1/sessions}: logs in and creates a new device named {@code deviceName}. */
  public Future<Session> login(String username, String password, String deviceName) {
    JsonObject body = new JsonObject()
        .put("username", username)
        .put("password", password)
        .put("deviceName", deviceName);
    return web.postAbs(base + "/v1/sessions")
        .sendJsonObject(body)
        .compose(response -> expect(response, 200))
        .map(response -> Session.fromJson(response.bodyAsJsonObject()));
  }

  /** {@code POST /v1/sessions/refresh}: rotates the refresh token; the old one stops working. */
  public Future<Session> refresh(String refreshToken) {
    return web.postAbs(base + "/v1/sessions/refresh")
        .sendJsonObject(new JsonObject().put("refreshToken", refreshToken))
        .compose(response -> expect(response, 200))
        .map(response -> Session.fromJson(response.bodyAsJsonObject()));
  }

  /** {@code DELETE /v1/sessions}: removes the device of {@code accessToken}, its tokens and its mailbox. */
  public Future<Void> logout(String accessToken) {
    return web.deleteAbs(base + "/v1/sessions")
        .bearerTokenAuthentication(accessToken)
        .send()
        .compose(response -> expect(response, 204))
        .mapEmpty();
  }

  /** Closes the web client; calls after this fail. */
  public void close() {
    web.close();
  }

  private static Future<HttpResponse<Buffer>> expect(HttpResponse<Buffer> response, int status) {
    if (response.statusCode() == status) {
      return Future.succeededFuture(response);
    }
    return Future.failedFuture(toException(response));
  }

  /** A refused HTTP response as the exception the SDK reports, {@code Retry-After} included. */
  public static CourierException toException(HttpResponse<Buffer> response) {
    return toException(response.statusCode(), response.body(), retryAfterMillis(response));
  }

  /**
   * Turns an error answer (an HTTP call or a refused WebSocket handshake) into its exception; a body without a
   * code gets {@code UNEXPECTED_RESPONSE}. Public for the other HTTP clients of the SDK (the key directory and
   * device APIs of {@code io.courier.client.signal}).
   *
   * @param retryAfterMillis the {@code Retry-After} delay in ms, or 0 when there was none
   */
  public static CourierException toException(int status, Buffer body, long retryAfterMillis) {
    JsonObject error = errorBody(body);
    String code = error.getString("code", CourierException.UNEXPECTED_RESPONSE);
    String message = error.getString("message", "HTTP " + status);
    boolean temporary = CourierException.isTemporaryCode(code) || status >= 500;
    return new CourierException(code, status, message, temporary, retryAfterMillis);
  }

  /** Parses an error body leniently: a proxy's HTML page or an empty body gives an empty object. */
  private static JsonObject errorBody(Buffer body) {
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    try {
      Object parsed = body.toJsonValue();
      return parsed instanceof JsonObject json ? json : new JsonObject();
    } catch (RuntimeException notJson) {
      return new JsonObject();
    }
  }

  private static long retryAfterMillis(HttpResponse<Buffer> response) {
    String seconds = response.getHeader("Retry-After");
    if (seconds == null) {
      return 0;
    }
    try {
      return Math.max(0, Long.parseLong(seconds.trim()) * 1000);
    } catch (NumberFormatException httpDate) {
      return 0;
    }
  }

  static String stripTrailingSlash(String uri) {
    return uri.endsWith("/") ? stripTrailingSlash(uri.substring(0, uri.length() - 1)) : uri;
  }
}
