package io.courier.push;

import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Google's side of FCM on loopback: an OAuth2 token endpoint that issues access tokens only for a JWT assertion
 * (RFC 7523) signed by the one service-account key it knows, with that account as issuer, Google's token endpoint
 * as audience and the FCM scope; and the FCM HTTP v1 {@code messages:send} endpoint, which takes only tokens it
 * issued and answers as FCM does ({@link #answers} per registration token, 200 otherwise).
 */
final class FakeGoogle implements AutoCloseable {
  static final String PROJECT = "courier-test";
  static final String EMAIL = "courier-push@courier-test.iam.gserviceaccount.com";
  /**
   * The audience Google's token endpoint requires of an assertion, whatever URL it was posted to
   * (google-auth-library sets it so for a token endpoint override too).
   */
  static final String AUDIENCE = "https://oauth2.googleapis.com/token";
  private static final Pattern SEND = Pattern.compile("/v1/projects/([^/]+)/messages:send");

  /** An FCM answer: status, {@code Retry-After} (or null) and the body. */
  record Answer(int status, String retryAfter, JsonObject body) {}

  /** One request FCM took: its bearer token and body. */
  record Request(String bearer, JsonObject body) {}

  final KeyPair serviceKey = rsaKeyPair();
  final Map<String, Answer> answers = new ConcurrentHashMap<>();
  final List<Request> received = new CopyOnWriteArrayList<>();
  final AtomicInteger tokensIssued = new AtomicInteger();
  final AtomicInteger assertionsRefused = new AtomicInteger();
  /** {@code expires_in} of the next tokens issued, in seconds. */
  volatile int expiresIn = 3600;
  private final Set<String> issued = ConcurrentHashMap.newKeySet();
  private final Vertx vertx;
  private HttpServer server;
  private JWTAuth assertions;

  FakeGoogle(Vertx vertx) {
    this.vertx = vertx;
  }

  FakeGoogle start() {
    server = WireClient.await(vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1"));
    assertions = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256")
            .setBuffer(TestCertificates.pem("PUBLIC KEY", serviceKey.getPublic().getEncoded())))
        .setJWTOptions(new JWTOptions().setIssuer(EMAIL).addAudience(AUDIENCE)));
    return this;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  String tokenUrl() {
    return baseUrl() + "/token";
  }

  /** Access tokens issued so far stop working (revoked before their expiry). */
  void revokeIssuedTokens() {
    issued.clear();
  }

  /** A service-account key file for {@code key}, naming {@code tokenUri}, as the Firebase console makes one. */
  static String serviceAccountJson(KeyPair key, String tokenUri) {
    return new JsonObject().put("type", "service_account").put("project_id", PROJECT)
        .put("private_key_id", "0123456789abcdef").put("client_email", EMAIL).put("client_id", "1234567890")
        .put("private_key", TestCertificates.pem("PRIVATE KEY", key.getPrivate().getEncoded()))
        .put("token_uri", tokenUri).encodePrettily();
  }

  static KeyPair rsaKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Google's error body: {@code {"error":{"code","message","status","details"}}}. */
  static JsonObject error(int code, String status, String errorCode, JsonObject... more) {
    JsonArray details = new JsonArray();
    if (errorCode != null) {
      details.add(new JsonObject().put("@type", FcmOutcomes.FCM_ERROR).put("errorCode", errorCode));
    }
    Arrays.stream(more).forEach(details::add);
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", status + " (test)")
        .put("status", status).put("details", details));
  }

  static JsonObject badField(String field) {
    return new JsonObject().put("@type", FcmOutcomes.BAD_REQUEST).put("fieldViolations",
        new JsonArray().add(new JsonObject().put("field", field).put("description", "invalid (test)")));
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if ("/token".equals(request.path())) {
        token(request, body.toString());
        return;
      }
      Matcher send = SEND.matcher(request.path());
      if (!send.matches() || !"POST".equals(request.method().name())) {
        reply(request, new Answer(404, null, error(404, "NOT_FOUND", null)));
      } else {
        fcm(request, send.group(1), body);
      }
    });
  }

  private void token(HttpServerRequest request, String form) {
    Map<String, String> fields = new HashMap<>();
    for (String pair : form.split("&")) {
      String[] kv = pair.split("=", 2);
      fields.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    Future<Boolean> valid = "urn:ietf:params:oauth:grant-type:jwt-bearer".equals(fields.get("grant_type"))
        ? assertions.authenticate(new TokenCredentials(fields.getOrDefault("assertion", "")))
            .map(user -> List.of(user.principal().getString("scope", "").split(" ")).contains(FcmSender.SCOPE))
            .otherwise(false)
        : Future.succeededFuture(false);
    valid.onSuccess(ok -> {
      if (!ok) {
        assertionsRefused.incrementAndGet();
        request.response().setStatusCode(400).putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("error", "invalid_grant").put("error_description", "Invalid JWT Signature.")
                .encode());
        return;
      }
      String token = "ya29.test-" + UUID.randomUUID();
      issued.add(token);
      tokensIssued.incrementAndGet();
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject()
          .put("access_token", token).put("expires_in", expiresIn).put("token_type", "Bearer").encode());
    });
  }

  private void fcm(HttpServerRequest request, String project, Buffer body) {
    String authorization = request.getHeader("Authorization");
    String bearer = authorization != null && authorization.startsWith("Bearer ")
        ? authorization.substring("Bearer ".length()) : "";
    if (!issued.contains(bearer)) {
      reply(request, new Answer(401, null, error(401, "UNAUTHENTICATED", null)));
      return;
    }
    if (!PROJECT.equals(project)) {
      reply(request, new Answer(403, null, error(403, "PERMISSION_DENIED", null)));
      return;
    }
    JsonObject message = body.toJsonObject();
    received.add(new Request(bearer, message));
    String token = message.getJsonObject("message").getString("token");
    reply(request, answers.getOrDefault(token, new Answer(200, null,
        new JsonObject().put("name", "projects/" + PROJECT + "/messages/0:" + received.size()))));
  }

  private static void reply(HttpServerRequest request, Answer answer) {
    if (answer.retryAfter() != null) {
      request.response().putHeader("Retry-After", answer.retryAfter());
    }
    request.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json; charset=UTF-8")
        .end(answer.body().encode());
  }

  @Override
  public void close() {
    WireClient.await(server.close());
  }
}
