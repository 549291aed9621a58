package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The limits of PROTOCOL §7 on registration and link codes: per client address (registering, redeeming a code),
 * per account (creating codes). Each client is bound to its own 127.x address, so each test has its own buckets and
 * a second address shows that the limit is per source; 127.0.0.3 is a trusted proxy.
 */
class RegistrationAndLinkLimitsTest {
  static final int REGISTRATIONS = 3;
  static final int LINK_ATTEMPTS = 5;
  static final int LINK_CODES = 2;
  static final String PROXY = "127.0.0.3";

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(
      "limits.registrationsPerMinute=" + REGISTRATIONS, "limits.linkAttemptsPerMinute=" + LINK_ATTEMPTS,
      "limits.linkCodesPerMinute=" + LINK_CODES, "server.trustedProxies=" + PROXY);

  static final List<WebClient> clients = new ArrayList<>();

  @AfterAll
  static void closeClients() {
    clients.forEach(WebClient::close);
  }

  /** An HTTP client whose connections come from {@code localAddress}. */
  static WebClient from(String localAddress) {
    WebClient client = WebClient.create(SERVER.vertx(), new WebClientOptions().setLocalAddress(localAddress));
    clients.add(client);
    return client;
  }

  static HttpResponse<Buffer> post(WebClient client, String path, JsonObject body, String forwardedFor) {
    var request = client.postAbs(SERVER.baseUri() + path);
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    return WireClient.await(request.sendJsonObject(body));
  }

  static HttpResponse<Buffer> register(WebClient client, String username, String forwardedFor) {
    return post(client, "/v1/accounts", new JsonObject().put("username", username).put("password", "long enough"),
        forwardedFor);
  }

  static void assertRateLimited(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(429);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("RATE_LIMITED");
    assertThat(response.getHeader("Retry-After")).as("Retry-After").isNotNull();
    assertThat(Integer.parseInt(response.getHeader("Retry-After"))).isPositive();
  }

  static boolean accountExists(String username) {
    return (Long) SERVER.redis().command("EXISTS", "account:{u:" + username + "}") == 1L;
  }

  @Test
  void registrationsBeyondTheLimitOfOneAddressAreRefusedAndCreateNothing() {
    WebClient client = from("127.0.0.10");
    for (int i = 0; i < REGISTRATIONS; i++) {
      assertThat(register(client, TestIds.unique("reg"), null).statusCode()).isEqualTo(201);
    }
    String refused = TestIds.unique("reg");
    assertRateLimited(register(client, refused, null));
    assertThat(accountExists(refused)).as("the refused registration created no account").isFalse();

    // Another source address has its own bucket.
    assertThat(register(from("127.0.0.11"), refused, null).statusCode()).isEqualTo(201);
    assertThat(accountExists(refused)).isTrue();
  }

  @Test
  void forwardedForFromAnUntrustedClientIsIgnored() {
    WebClient client = from("127.0.0.12");
    for (int i = 0; i < REGISTRATIONS; i++) {
      assertThat(register(client, TestIds.unique("spoof"), "198.51.100." + i).statusCode()).isEqualTo(201);
    }
    assertRateLimited(register(client, TestIds.unique("spoof"), "198.51.100.99"));
  }

  @Test
  void forwardedForFromATrustedProxyNamesTheClient() {
    WebClient proxy = from(PROXY);
    // What HAProxy sends: the client's own (spoofed) header, then the address HAProxy saw, appended.
    String client = "203.0.113.7";
    for (int i = 0; i < REGISTRATIONS; i++) {
      assertThat(register(proxy, TestIds.unique("fwd"), "10.9.9." + i + ", " + client).statusCode())
          .isEqualTo(201);
    }
    assertRateLimited(register(proxy, TestIds.unique("fwd"), "10.9.9.9, " + client));
    // Another client behind the same proxy is not limited.
    assertThat(register(proxy, TestIds.unique("fwd"), "203.0.113.8").statusCode()).isEqualTo(201);
  }

  @Test
  void wrongLinkCodesAreLimitedPerAddressAndARefusedRedemptionLeavesTheCodeUsable() {
    Session alice = SERVER.accounts().register("alice");
    String code = SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", alice, new JsonObject())
        .bodyAsJsonObject().getString("code");
    WebClient guesser = from("127.0.0.13");
    int firstRefusal = -1;
    for (int i = 0; i < 40 && firstRefusal < 0; i++) {
      HttpResponse<Buffer> answer = post(guesser, "/v1/devices/link",
          new JsonObject().put("code", String.format("0000-0000-%04d", i)), null);
      if (answer.statusCode() == 429) {
        assertRateLimited(answer);
        firstRefusal = i;
      } else {
        assertThat(answer.bodyAsJsonObject().getString("code")).isEqualTo("LINK_CODE_INVALID");
      }
    }
    assertThat(firstRefusal).as("wrong codes count: the attempt after the limit is refused")
        .isEqualTo(LINK_ATTEMPTS);

    // Even the right code is refused from the limited address, and the refusal does not use it up...
    assertRateLimited(post(guesser, "/v1/devices/link", new JsonObject().put("code", code), null));
    assertThat(devices(alice)).isEqualTo(1);
    // ...so it still links a device from another address.
    HttpResponse<Buffer> linked = post(from("127.0.0.14"), "/v1/devices/link",
        new JsonObject().put("code", code).put("deviceName", "tablet"), null);
    assertThat(linked.statusCode()).as(linked.bodyAsString()).isEqualTo(200);
    assertThat(devices(alice)).isEqualTo(2);
  }

  @Test
  void linkCodesAreLimitedPerAccount() {
    Session carol = SERVER.accounts().register("carol");
    for (int i = 0; i < LINK_CODES; i++) {
      assertThat(SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", carol, new JsonObject()).statusCode())
          .isEqualTo(201);
    }
    assertRateLimited(SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", carol, new JsonObject()));
    // Another account of the same address is not limited.
    Session dave = SERVER.accounts().register("dave");
    assertThat(SERVER.call(HttpMethod.POST, "/v1/devices/link-codes", dave, new JsonObject()).statusCode())
        .isEqualTo(201);
  }

  private static int devices(Session session) {
    return SERVER.call(HttpMethod.GET, "/v1/devices", session, null).bodyAsJsonObject().getJsonArray("devices")
        .size();
  }
}
