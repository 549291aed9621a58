package io.courier.push;

import com.google.auth.oauth2.ServiceAccountCredentials;
import io.courier.config.PushConfig;
import io.courier.config.Secrets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups to Android devices through Firebase Cloud Messaging's HTTP v1 API: {@code POST
 * {baseUrl}/v1/projects/{projectId}/messages:send} by the Vert.x WebClient, with a bearer token from
 * {@link FcmAccessTokens}.
 *
 * <p>What FCM receives (docs/PUSH-PROVIDERS.md): the registration token and {@link #message}: a data-only message
 * ({@code data {"wake":"1"}}), {@code android.priority HIGH} (so that a dozing phone runs the app's
 * {@code onMessageReceived} at once), {@code android.collapse_key} {@link WakeUp#COLLAPSE_ID} (FCM keeps the last
 * of those waiting) and {@code android.ttl} {@code push.ttl}. No notification block: the app connects, fetches,
 * decrypts and shows the notification itself.
 *
 * <p>A 401 makes the sender forget that access token and try once more with a new one (a token revoked before its
 * expiry); a second 401 is {@code Failed}.
 */
public final class FcmSender implements PushSender {
  /** The OAuth2 scope of the FCM HTTP v1 API. */
  public static final String SCOPE = "https://www.googleapis.com/auth/firebase.messaging";
  /** Connections to FCM: sends beyond these wait in the client's queue. */
  private static final int MAX_CONNECTIONS = 16;
  /** One send's deadline; past it, the wake-up is retried. */
  private static final long REQUEST_TIMEOUT_MS = 10_000;

  private static final Logger log = LoggerFactory.getLogger(FcmSender.class);

  private final WebClient client;
  private final FcmAccessTokens tokens;
  private final String sendUrl;
  private final Duration ttl;

  private FcmSender(WebClient client, FcmAccessTokens tokens, String sendUrl, Duration ttl) {
    this.client = client;
    this.tokens = tokens;
    this.sendUrl = sendUrl;
    this.ttl = ttl;
  }

  /**
   * A sender for {@code push.fcm}; the service-account key is read now (no request is made until the first send).
   *
   * @throws IllegalStateException when the key cannot be read or is not a service-account key, or no project id
   *     is configured or in the key
   */
  public static FcmSender create(Vertx vertx, PushConfig push, Map<String, String> environment) {
    PushConfig.FcmConfig config = push.fcm();
    ServiceAccountCredentials credentials = credentials(config, environment);
    String project = config.projectId().isBlank() ? credentials.getProjectId() : config.projectId();
    if (project == null || project.isBlank()) {
      throw new IllegalStateException("push.fcm: no projectId configured and none in the service account key");
    }
    String base = config.baseUrl().endsWith("/") ? config.baseUrl().substring(0, config.baseUrl().length() - 1)
        : config.baseUrl();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setUserAgent("courier"),
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
    return new FcmSender(client, new FcmAccessTokens(vertx, credentials),
        base + "/v1/projects/" + project + "/messages:send", push.ttl());
  }

  private static ServiceAccountCredentials credentials(PushConfig.FcmConfig config, Map<String, String> env) {
    try {
      byte[] key = Secrets.resolve(config.serviceAccount(), env).getBytes(StandardCharsets.UTF_8);
      ServiceAccountCredentials.Builder builder = ServiceAccountCredentials.fromStream(new ByteArrayInputStream(key))
          .toBuilder().setScopes(List.of(SCOPE));
      if (!config.tokenUrl().isBlank()) {
        builder.setTokenServerUri(URI.create(config.tokenUrl()));
      }
      return builder.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("push.fcm.serviceAccount: " + e.getMessage(), e);
    }
  }

  /** The whole request body for {@code token}: nothing but the wake-up and its delivery options. */
  JsonObject message(String token) {
    return new JsonObject().put("message", new JsonObject()
        .put("token", token)
        .put("data", new JsonObject().put("wake", "1"))
        .put("android", new JsonObject()
            .put("priority", "HIGH")
            .put("collapse_key", WakeUp.COLLAPSE_ID)
            .put("ttl", ttl.toSeconds() + "s")));
  }

  @Override
  public String kind() {
    return "fcm";
  }

  @Override
  public Future<PushOutcome> send(PushTarget target) {
    PushTarget.Fcm fcm = (PushTarget.Fcm) target;
    return attempt(message(fcm.token()), true)
        .recover(FcmSender::unanswered)
        .andThen(outcome -> logRefusal(fcm, outcome.result()));
  }

  private Future<PushOutcome> attempt(JsonObject body, boolean againOn401) {
    return tokens.get().compose(bearer -> post(bearer, body)
        .compose(response -> answer(bearer, response, body, againOn401)));
  }

  private Future<HttpResponse<Buffer>> post(String bearer, JsonObject body) {
    return client.postAbs(sendUrl).putHeader("Authorization", "Bearer " + bearer).timeout(REQUEST_TIMEOUT_MS)
        .sendJsonObject(body);
  }

  private Future<PushOutcome> answer(String bearer, HttpResponse<Buffer> response, JsonObject body,
      boolean againOn401) {
    if (response.statusCode() == 401 && againOn401) {
      tokens.invalidate(bearer);
      return attempt(body, false);
    }
    return Future.succeededFuture(FcmOutcomes.of(response.statusCode(), response.getHeader("Retry-After"),
        response.bodyAsString()));
  }

  /** No answer from FCM: the token endpoint refused the credential (Failed) or something was unreachable. */
  private static Future<PushOutcome> unanswered(Throwable failure) {
    log.debug("fcm send failed before an answer: {}", failure.toString());
    if (failure instanceof FcmAccessTokens.RefreshException refresh) {
      return Future.succeededFuture(refresh.retryable ? new PushOutcome.Retry(null, "token-endpoint")
          : new PushOutcome.Failed("credential"));
    }
    return Future.succeededFuture(new PushOutcome.Retry(null, "network"));
  }

  private static void logRefusal(PushTarget.Fcm target, PushOutcome outcome) {
    if (!(outcome instanceof PushOutcome.Accepted)) {
      log.debug("fcm {} for token {}", outcome, SenderLog.digest(target.token()));
    }
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
