package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP API of PROTOCOL.md §1 on the wire: each request and each documented refusal. */
class AccountsApiTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("limits.loginsPerMinute=3",
        "server.allowedOrigins=https://chat.example", "limits.bundleFetchesPerMinute=2");

  static final String JSON = "application/json";
  static WebClient http;

  @BeforeAll
  static void setUp() {
    http = WebClient.create(SERVER.vertx());
  }

  static HttpResponse<Buffer> post(String path, JsonObject body) {
    return WireClient.await(http.postAbs(SERVER.baseUri() + path).sendJsonObject(body));
  }

  static void assertRefusal(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo(code);
    assertThat(response.bodyAsJsonObject().getString("message")).isNotBlank();
  }

  static JsonObject credentials(String username, String password) {
    return new JsonObject().put("username", username).put("password", password);
  }

  @Test
  void registerRefusesTakenNamesBadNamesAndBadPasswords() {
    String name = TestIds.unique("carol");
    assertThat(post("/v1/accounts", credentials(name, "long enough")).statusCode()).isEqualTo(201);
    assertRefusal(post("/v1/accounts", credentials(name, "long enough")), 409, "USERNAME_TAKEN");
    assertRefusal(post("/v1/accounts", credentials("Has Spaces", "long enough")), 400, "INVALID_USERNAME");
    assertRefusal(post("/v1/accounts", credentials(TestIds.unique("dave"), "short")), 400, "INVALID_PASSWORD");
    assertRefusal(post("/v1/accounts", new JsonObject().put("username", "x")), 400, "MISSING_FIELD");
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts").putHeader("Content-Type", JSON)
        .sendBuffer(Buffer.buffer("{oops"))), 400, "MALFORMED_JSON");
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts").putHeader("Content-Type", JSON)
        .sendBuffer(Buffer.buffer("{\"username\":\"" + "x".repeat(600_000) + "\"}"))), 413, "BODY_TOO_LARGE");
  }

  @Test
  void eachLoginIsANewDeviceAndWrongPasswordsAreRateLimited() {
    Session first = SERVER.accounts().register("erin");
    Session second = SERVER.accounts().login(first.account());
    assertThat(first.device()).isEqualTo(1);
    assertThat(second.device()).isEqualTo(2);
    assertThat(first.expiresIn()).isEqualTo(900);

    // The bucket holds 3 log-ins a minute; two were used above.
    assertRefusal(post("/v1/sessions", credentials(first.account(), "wrong password")), 401, "BAD_CREDENTIALS");
    HttpResponse<Buffer> limited = post("/v1/sessions", credentials(first.account(), TestAccounts.PASSWORD));
    assertRefusal(limited, 429, "RATE_LIMITED");
    assertThat(Integer.parseInt(limited.getHeader("Retry-After"))).isPositive();
    assertRefusal(post("/v1/sessions", credentials("nobody-" + System.nanoTime(), "whatever1")), 401,
        "BAD_CREDENTIALS");
  }

  @Test
  void refreshRotatesTheTokenAndLogoutRevokesTheDevice() {
    Session session = SERVER.accounts().register("frank");
    HttpResponse<Buffer> refreshed = post("/v1/sessions/refresh",
        new JsonObject().put("refreshToken", session.refreshToken()));
    assertThat(refreshed.statusCode()).isEqualTo(200);
    JsonObject body = refreshed.bodyAsJsonObject();
    assertThat(body.getInteger("device")).isEqualTo(session.device());
    assertThat(body.getString("refreshToken")).isNotEqualTo(session.refreshToken());
    WireClient.connect(SERVER.vertx(), SERVER.port(), body.getString("accessToken")).close();

    assertRefusal(post("/v1/sessions/refresh", new JsonObject().put("refreshToken", session.refreshToken())), 401,
        "TOKEN_INVALID");
    assertRefusal(post("/v1/sessions/refresh", new JsonObject().put("refreshToken", "garbage")), 401,
        "TOKEN_INVALID");

    HttpResponse<Buffer> logout = WireClient.await(http.deleteAbs(SERVER.baseUri() + "/v1/sessions")
        .bearerTokenAuthentication(body.getString("accessToken")).send());
    assertThat(logout.statusCode()).isEqualTo(204);
    assertRefusal(post("/v1/sessions/refresh", new JsonObject().put("refreshToken", body.getString("refreshToken"))),
        401, "TOKEN_REVOKED");
    assertRefusal(WireClient.await(http.deleteAbs(SERVER.baseUri() + "/v1/sessions").send()), 401, "TOKEN_MISSING");
  }

  @Test
  void browsersFromAnAllowedOriginMayConnectAndCallTheApi() {
    Session grace = SERVER.accounts().register("grace");
    String origin = "https://chat.example";
    try (WireClient socket = WireClient.connect(SERVER.vertx(), SERVER.port(), grace.accessToken(), origin)) {
      socket.expect("drained");
    }
    assertThat(WireClient.refused(SERVER.vertx(), SERVER.port(), grace.accessToken(), "https://evil.example").status())
        .isEqualTo(403);
    HttpResponse<Buffer> preflight = WireClient.await(http.requestAbs(io.vertx.core.http.HttpMethod.OPTIONS,
            SERVER.baseUri() + "/v1/sessions").putHeader("Origin", "https://chat.example")
        .putHeader("Access-Control-Request-Method", "POST").send());
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://chat.example");
  }

  @Test
  void everyCharacterOfALongPasswordCounts() {
    String name = TestIds.unique("judy");
    // 72 bytes of emoji (all that bcrypt reads) and one more character.
    String prefix = "\uD83D\uDE00".repeat(18);
    assertThat(post("/v1/accounts", credentials(name, prefix + "A")).statusCode()).isEqualTo(201);
    assertRefusal(post("/v1/sessions", credentials(name, prefix + "B")), 401, "BAD_CREDENTIALS");
    assertThat(post("/v1/sessions", credentials(name, prefix + "A")).statusCode()).isEqualTo(200);
  }

  @Test
  void theRestApiRefusesForeignOriginsBeforeActing() {
    String name = TestIds.unique("mallory");
    String body = credentials(name, "long enough").encode();
    // The browser's "simple" request: no preflight, so only the server's own check stops it.
    HttpResponse<Buffer> simple = WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts")
        .putHeader("Origin", "http://evil.example").putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer(body)));
    assertRefusal(simple, 403, "ORIGIN_NOT_ALLOWED");
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts")
        .putHeader("Origin", "http://evil.example").putHeader("Content-Type", JSON)
        .sendBuffer(Buffer.buffer(body))), 403, "ORIGIN_NOT_ALLOWED");
    Session henry = SERVER.accounts().register("henry");
    assertRefusal(WireClient.await(http.getAbs(SERVER.baseUri() + "/v1/devices").putHeader("Origin",
        "http://evil.example").bearerTokenAuthentication(henry.accessToken()).send()), 403, "ORIGIN_NOT_ALLOWED");
    HttpResponse<Buffer> preflight = WireClient.await(http.requestAbs(io.vertx.core.http.HttpMethod.OPTIONS,
            SERVER.baseUri() + "/v1/devices").putHeader("Origin", "http://evil.example")
        .putHeader("Access-Control-Request-Method", "GET").send());
    assertRefusal(preflight, 403, "ORIGIN_NOT_ALLOWED");
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isNull();

    assertThat(post("/v1/accounts", credentials(name, "long enough")).statusCode())
        .as("the refused requests created nothing").isEqualTo(201);
    assertThat(WireClient.await(http.getAbs(SERVER.baseUri() + "/v1/devices").putHeader("Origin",
        "https://chat.example").bearerTokenAuthentication(henry.accessToken()).send()).statusCode())
        .as("an allowed origin").isEqualTo(200);
  }

  @Test
  void jsonBodiesMustBeSentAsApplicationJson() {
    String name = TestIds.unique("ivan");
    String body = credentials(name, "long enough").encode();
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts").putHeader("Content-Type",
        "text/plain").sendBuffer(Buffer.buffer(body))), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts")
        .sendBuffer(Buffer.buffer(body))), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts").putHeader("Content-Type",
        "application/x-www-form-urlencoded").sendBuffer(Buffer.buffer(body))), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertRefusal(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts").putHeader("Content-Type", JSON)
        .send()), 400, "MALFORMED_JSON");
    assertThat(WireClient.await(http.postAbs(SERVER.baseUri() + "/v1/accounts").putHeader("Content-Type",
        "Application/JSON; charset=utf-8").sendBuffer(Buffer.buffer(body))).statusCode())
        .as("the refusals created nothing; a parameter is fine").isEqualTo(201);
  }

  @Test
  void bundleFetchesAreRateLimitedPerRequesterAndTarget() {
    Session target = SERVER.accounts().register("target");
    WireClient.await(http.putAbs(SERVER.baseUri() + "/v1/keys").bearerTokenAuthentication(target.accessToken())
        .sendJsonObject(io.courier.testing.TestKeys.identity(5, 3)));
    Session requester = SERVER.accounts().register("requester");
    String path = SERVER.baseUri() + "/v1/keys/" + target.account();
    for (int i = 0; i < 2; i++) {
      assertThat(WireClient.await(http.getAbs(path).bearerTokenAuthentication(requester.accessToken()).send())
          .statusCode()).isEqualTo(200);
    }
    assertRefusal(WireClient.await(http.getAbs(path).bearerTokenAuthentication(requester.accessToken()).send()),
        429, "RATE_LIMITED");
    Session other = SERVER.accounts().register("other");
    assertThat(WireClient.await(http.getAbs(path).bearerTokenAuthentication(other.accessToken()).send())
        .statusCode()).as("another requester has its own budget").isEqualTo(200);
  }

  @Test
  void healthAndMetricsAnswer() {
    assertThat(WireClient.await(http.getAbs(SERVER.baseUri() + "/health/live").send()).bodyAsJsonObject()
        .getString("status")).isEqualTo("UP");
    assertThat(WireClient.await(http.getAbs(SERVER.baseUri() + "/health/ready").send()).statusCode()).isEqualTo(200);
    String metrics = WireClient.await(http.getAbs(SERVER.baseUri() + "/metrics").send()).bodyAsString();
    assertThat(metrics).contains("courier_messages_sent_total").contains("courier_connections_open");
    assertRefusal(WireClient.await(http.getAbs(SERVER.baseUri() + "/v1/nothing-here").send()), 404, "NOT_FOUND");
  }
}
