package io.courier.client.signal;

import io.courier.client.AccountApi;
import io.courier.client.CourierException;
import io.courier.client.TokenSource;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;

/**
 * HTTP calls to the server's REST API (PROTOCOL.md §1) for the key directory, device and attachment endpoints: JSON
 * bodies, the Device's bearer token, and errors turned into {@link CourierException} as {@link AccountApi} does.
 * Features built on a messenger (attachments) get the messenger's instance from {@link SecureMessenger#api()}, so
 * they share its tokens: a refresh token is single-use and must not be spent by two token sources.
 *
 * <p>An answer {@code 401 TOKEN_EXPIRED} asks the {@link TokenSource} for a fresh token and repeats the call once.
 *
 * @implNote Does not own the {@link WebClient}; nothing else is retried (a {@code RATE_LIMITED} answer reaches the
 *     caller as a temporary {@link CourierException}). Futures complete on the context the call was made from.
 */
public final class BearerWeb {

  private final WebClient web;
  private final String base;
  private final TokenSource tokens;

  /**
   * @param server the server's base URI; {@code ws}/{@code wss} are turned into {@code http}/{@code https}
   * @param tokens the Device's access tokens, or null for the calls that need none ({@link #post})
   */
  public BearerWeb(WebClient web, URI server, TokenSource tokens) {
    this.web = web;
    this.base = httpBase(server);
    this.tokens = tokens;
  }

  /** A call with the bearer token; {@code body} may be null. Succeeds only with status {@code expected}. */
  public Future<HttpResponse<Buffer>> call(HttpMethod method, String path, JsonObject body, int expected) {
    return tokens.token(false)
        .compose(token -> send(method, path, body, token))
        .compose(response -> isExpired(response)
            ? sendWithFreshToken(method, path, body)
            : Future.succeededFuture(response))
        .compose(response -> expect(response, expected));
  }

  /** A call without a token ({@code POST /v1/devices/link}). */
  Future<HttpResponse<Buffer>> post(String path, JsonObject body, int expected) {
    return send(HttpMethod.POST, path, body, null).compose(response -> expect(response, expected));
  }

  private Future<HttpResponse<Buffer>> sendWithFreshToken(HttpMethod method, String path, JsonObject body) {
    return tokens.token(true).compose(token -> send(method, path, body, token));
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String path, JsonObject body, String token) {
    HttpRequest<Buffer> request = web.requestAbs(method, base + path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  private static boolean isExpired(HttpResponse<Buffer> response) {
    return response.statusCode() == 401 && "TOKEN_EXPIRED".equals(AccountApi.toException(response).code());
  }

  private static Future<HttpResponse<Buffer>> expect(HttpResponse<Buffer> response, int status) {
    if (response.statusCode() == status) {
      return Future.succeededFuture(response);
    }
    return Future.failedFuture(AccountApi.toException(response));
  }

  /** {@code http(s)://host:port[/prefix]} without a trailing slash, from an http(s) or ws(s) URI. */
  static String httpBase(URI server) {
    String uri = server.toString();
    if (uri.startsWith("ws://")) {
      uri = "http://" + uri.substring("ws://".length());
    } else if (uri.startsWith("wss://")) {
      uri = "https://" + uri.substring("wss://".length());
    }
    while (uri.endsWith("/")) {
      uri = uri.substring(0, uri.length() - 1);
    }
    return uri;
  }
}
