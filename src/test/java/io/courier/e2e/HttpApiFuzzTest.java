package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.courier.client.Session;
import io.courier.testing.LoggedExceptions;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Any request to any REST route of a running server, with or without a valid token: the answer is a documented
 * refusal (4xx with the error body) or a success, never a 5xx, and the server logs no exception. The fuzzer picks
 * the route, a path segment for its parameter, a content type and the body. Routes that end the test account's
 * session (log out, unlink) are left out, so the rest keep a valid token. Corpus:
 * {@code src/test/resources/io/courier/e2e/HttpApiFuzzTestInputs/callAnyRoute/}.
 */
class HttpApiFuzzTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  /** Method and path; {@code {}} is the fuzzed path segment. */
  private record Route(HttpMethod method, String path) {}

  private static final List<Route> ROUTES = List.of(
      new Route(HttpMethod.POST, "/v1/accounts"),
      new Route(HttpMethod.POST, "/v1/sessions"),
      new Route(HttpMethod.POST, "/v1/sessions/refresh"),
      new Route(HttpMethod.GET, "/v1/devices"),
      new Route(HttpMethod.POST, "/v1/devices/link-codes"),
      new Route(HttpMethod.POST, "/v1/devices/link"),
      new Route(HttpMethod.PUT, "/v1/keys"),
      new Route(HttpMethod.POST, "/v1/keys/prekeys"),
      new Route(HttpMethod.GET, "/v1/keys/count"),
      new Route(HttpMethod.GET, "/v1/keys/{}"),
      new Route(HttpMethod.GET, "/v1/keys/{}/{}"),
      new Route(HttpMethod.POST, "/v1/attachments"),
      new Route(HttpMethod.POST, "/v1/attachments/{}/upload"),
      new Route(HttpMethod.POST, "/v1/attachments/{}/complete"),
      new Route(HttpMethod.GET, "/v1/attachments/{}"),
      new Route(HttpMethod.GET, "/v1/{}"));
  private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
      "text/plain", "");

  static WebClient http;
  static Session session;
  static LoggedExceptions logged;

  @BeforeAll
  static void setUp() {
    http = WebClient.create(SERVER.vertx());
    session = SERVER.accounts().register("fuzz");
    logged = LoggedExceptions.watch();
  }

  @AfterAll
  static void tearDown() {
    logged.close();
  }

  @FuzzTest(maxDuration = "10s")
  void callAnyRoute(FuzzedDataProvider data) {
    Route route = data.pickValue(ROUTES);
    String path = route.path();
    while (path.contains("{}")) {
      String segment = data.consumeString(40);
      path = path.replaceFirst("\\{}", URLEncoder.encode(segment.isEmpty() ? "x" : segment, StandardCharsets.UTF_8)
          .replace("+", "%20"));
    }
    boolean withToken = data.consumeBoolean();
    String contentType = data.pickValue(CONTENT_TYPES);
    String body = data.consumeRemainingAsString();

    var request = http.requestAbs(route.method(), SERVER.baseUri() + path);
    if (withToken) {
      request.bearerTokenAuthentication(session.accessToken());
    }
    if (!contentType.isEmpty()) {
      request.putHeader("Content-Type", contentType);
    }
    HttpResponse<Buffer> response = WireClient.await(request.sendBuffer(Buffer.buffer(body)));

    String what = route.method() + " " + path + " " + contentType + " " + body;
    assertThat(response.statusCode()).as(what).isLessThan(500);
    if (response.statusCode() >= 400) {
      JsonObject error = response.bodyAsJsonObject();
      assertThat(error.getString("code")).as(what).isNotBlank();
      assertThat(error.getString("message")).as(what).isNotBlank();
    }
    logged.assertNone(what);
  }
}
