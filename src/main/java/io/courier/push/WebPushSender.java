package io.courier.push;

import com.interaso.webpush.VapidKeys;
import com.interaso.webpush.WebPush;
import io.courier.config.PushConfig;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * Web Push (RFC 8030) wake-ups: {@link WakeUp#DATA} encrypted to the subscription's keys (RFC 8291
 * {@code aes128gcm}) and signed for the push service with the server's VAPID key (RFC 8292), posted with
 * {@code TTL} ({@code push.ttl}), {@code Urgency: high} and {@code Topic: courier-wake}, so a service holding
 * several wake-ups for one device keeps one.
 *
 * <p>The library is {@code com.interaso:webpush}: it only encrypts ({@code getBody}) and signs
 * ({@code getHeaders}) and leaves the HTTP to us, so the request goes through Vert.x's client on the event loop
 * (one async type, nothing blocking), and has no dependency but the Kotlin standard library the server already
 * has. The others looked at: {@code nl.martijndwars:web-push} 5.1.2 brings BouncyCastle, jose4j and Apache's
 * async HTTP client and does its own HTTP ({@code send()} still defaults to the legacy {@code aesgcm} encoding);
 * Tink's {@code apps-webpush} (1.9.0 is the newest served here) encrypts only, with no VAPID, and brings Tink and
 * protobuf.
 *
 * <p>Answers: 2xx {@link PushOutcome.Accepted}; 404 and 410 {@link PushOutcome.Gone} (the subscription expired
 * or was dropped); 429 and 5xx {@link PushOutcome.Retry}, with {@code Retry-After} (seconds or an HTTP date) when
 * sent; any other status {@link PushOutcome.Failed} (400 bad request, 403 VAPID refused, 413 payload too large);
 * a network failure or a timeout a {@code Retry}.
 *
 * <p>Before each request the endpoint's host is resolved and checked again ({@link EndpointGuard}): a name that
 * now points inside the server's network gives {@code Failed("forbidden-address")} and no request; one that does
 * not resolve gives {@code Retry("dns")}. The request goes to the checked address (never a second lookup), with
 * the endpoint's host as {@code Host} and TLS server name, its certificate verified against the system's trust.
 *
 * @implNote Encrypting and signing (one ECDH, one ECDSA signature, a key pair) take well under a millisecond of
 * CPU and run on the caller's event loop. Nothing is logged here; the endpoint is never logged (the workers log
 * outcomes without it).
 */
public final class WebPushSender implements PushSender {
  /** The whole request, connection included: a push service slower than this is retried later. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Connections kept per push service (host and port). */
  static final int CONNECTIONS_PER_SERVICE = 8;
  /** How long the VAPID JWT is valid: RFC 8292 allows at most 24 h; the library's default is 12 h. */
  static final Duration VAPID_VALIDITY = Duration.ofHours(12);

  private final WebPush webPush;
  private final EndpointGuard guard;
  private final HttpClient http;
  private final int ttlSeconds;

  public WebPushSender(Vertx vertx, PushConfig config, VapidKeyPair keys) {
    this.webPush = new WebPush(config.webPush().subject(), new VapidKeys(keys.publicKey(), keys.privateKey()));
    this.guard = new EndpointGuard(vertx, config.allowPrivateTargets());
    this.http = vertx.createHttpClient(new HttpClientOptions()
            .setVerifyHost(true)
            .setForceSni(true)
            .setConnectTimeout((int) REQUEST_TIMEOUT.toMillis()),
        new PoolOptions().setHttp1MaxSize(CONNECTIONS_PER_SERVICE));
    this.ttlSeconds = (int) config.ttl().toSeconds();
  }

  @Override
  public String kind() {
    return "webpush";
  }

  @Override
  public Future<PushOutcome> send(PushTarget target) {
    PushTarget.WebPush subscription = (PushTarget.WebPush) target;
    return guard.resolve(subscription.endpoint())
        .compose(address -> post(subscription, address))
        .recover(WebPushSender::failure);
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }

  private Future<PushOutcome> post(PushTarget.WebPush subscription, InetAddress address) {
    URI endpoint = URI.create(subscription.endpoint());
    boolean https = endpoint.getScheme().equalsIgnoreCase("https");
    int port = endpoint.getPort() != -1 ? endpoint.getPort() : https ? 443 : 80;
    Base64.Decoder base64url = Base64.getUrlDecoder();
    byte[] body = webPush.getBody(WakeUp.DATA.getBytes(StandardCharsets.UTF_8),
        base64url.decode(subscription.p256dh()), base64url.decode(subscription.auth()));
    Map<String, String> headers = webPush.getHeadersWithToken(
        webPush.getToken(webPush.getAudience(subscription.endpoint()), (int) VAPID_VALIDITY.toSeconds()),
        ttlSeconds, WakeUp.COLLAPSE_ID, WebPush.Urgency.High);
    RequestOptions request = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setServer(SocketAddress.inetSocketAddress(port, address.getHostAddress()))
        .setHost(endpoint.getHost())
        .setPort(port)
        .setSsl(https)
        .setURI(pathAndQuery(endpoint))
        .setTimeout(REQUEST_TIMEOUT.toMillis());
    headers.forEach(request::putHeader);
    return http.request(request)
        .compose(r -> r.send(Buffer.buffer(body)))
        .compose(response -> response.end().map(done -> outcome(response)));
  }

  private static String pathAndQuery(URI endpoint) {
    String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
    return endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery();
  }

  static PushOutcome outcome(HttpClientResponse response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return new PushOutcome.Accepted();
    }
    if (status == 404 || status == 410) {
      return new PushOutcome.Gone(Integer.toString(status));
    }
    if (status == 429 || status >= 500) {
      return new PushOutcome.Retry(retryAfter(response.getHeader("Retry-After"), Instant.now()),
          Integer.toString(status));
    }
    return new PushOutcome.Failed(Integer.toString(status));
  }

  /** {@code Retry-After} as a wait from {@code now}: delay-seconds or an HTTP date; null when absent or unreadable. */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      // an HTTP date, below
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** Refusals by the guard and network failures are outcomes; anything else is a bug and fails the future. */
  private static Future<PushOutcome> failure(Throwable e) {
    if (e instanceof ProtocolException) {
      return Future.succeededFuture(new PushOutcome.Failed("forbidden-address"));
    }
    if (e instanceof UnknownHostException) {
      return Future.succeededFuture(new PushOutcome.Retry(null, "dns"));
    }
    if (e instanceof TimeoutException || e.getClass().getSimpleName().contains("Timeout")) {
      return Future.succeededFuture(new PushOutcome.Retry(null, "timeout"));
    }
    if (e instanceof IOException || e instanceof VertxException) {
      return Future.succeededFuture(new PushOutcome.Retry(null, "network"));
    }
    return Future.failedFuture(e);
  }
}
