package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attachments through the real embedded S3 store (S3Proxy checking SigV4): presigned PUT uploads in parts, the
 * completion check, presigned downloads, and every way a URL or an upload must be refused (and
 * {@link AttachmentUploadsTest} for requests aimed at other keys).
 */
class AttachmentsTest {
  static final int PART = 64 * 1024;

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("media.partSize=" + PART, "media.maxSize=1048576",
      "limits.uploadsPerMinute=20");

  static WebClient http;
  static PresignedRequests store;

  @BeforeAll
  static void setUp() {
    http = WebClient.create(SERVER.vertx());
    store = new PresignedRequests(SERVER);
  }

  static byte[] random(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  /** Sends one part as its presigned request says. */
  static HttpResponse<Buffer> upload(JsonObject part, byte[] bytes) {
    return store.upload(part, bytes);
  }

  static byte[] slice(byte[] all, int part) {
    int from = (part - 1) * PART;
    return java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + PART));
  }

  /** The same presigned URL with one character of its signature changed. */
  static String flipSignature(String url) {
    String signature = url.substring(url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length());
    String flipped = (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1);
    return url.replace(signature, flipped);
  }

  static String assertCode(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo(code);
    return code;
  }

  @Test
  void anAttachmentGoesUpInPartsAndComesDownWhole() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    byte[] file = random(150_000);
    JsonObject descriptor = SERVER.call(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", file.length))
        .bodyAsJsonObject();
    String id = descriptor.getString("id");
    assertThat(id).matches("[A-Za-z0-9_-]{22}");
    JsonArray parts = descriptor.getJsonArray("parts");
    assertThat(parts).hasSize(3);
    assertThat(parts.getJsonObject(0).getString("method")).isEqualTo("PUT");
    assertThat(parts.getJsonObject(0).getJsonObject("headers").getMap())
        .containsExactly(java.util.Map.entry("Content-Type", "application/octet-stream"));

    assertThat(upload(parts.getJsonObject(0), slice(file, 1)).statusCode()).isEqualTo(200);
    assertThat(upload(parts.getJsonObject(1), slice(file, 2)).statusCode()).isEqualTo(200);
    assertCode(SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", alice, null), 409, "ATTACHMENT_INCOMPLETE");
    assertCode(SERVER.call(HttpMethod.GET, "/v1/attachments/" + id, bob, null), 404, "UNKNOWN_ATTACHMENT");

    // Resuming with fresh descriptors for the last part.
    JsonObject again = SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/upload", alice, null).bodyAsJsonObject();
    assertThat(upload(again.getJsonArray("parts").getJsonObject(2), slice(file, 3)).statusCode()).isEqualTo(200);
    assertCode(SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", bob, null), 404, "UNKNOWN_ATTACHMENT");
    assertThat(SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", alice, null).statusCode()).isEqualTo(204);
    assertThat(SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", alice, null).statusCode()).isEqualTo(204);

    JsonObject download = SERVER.call(HttpMethod.GET, "/v1/attachments/" + id, bob, null).bodyAsJsonObject();
    Buffer whole = Buffer.buffer();
    for (Object part : download.getJsonArray("parts")) {
      HttpResponse<Buffer> got = WireClient.await(http.getAbs(((JsonObject) part).getString("url")).send());
      assertThat(got.statusCode()).isEqualTo(200);
      whole.appendBuffer(got.body());
    }
    assertThat(whole.getBytes()).isEqualTo(file);
  }

  @Test
  void tamperedExpiredOtherMethodAndOtherObjectUrlsAreRefused() {
    Session alice = SERVER.accounts().register("alice");
    byte[] file = random(1_000);
    JsonObject descriptor = SERVER.call(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", file.length))
        .bodyAsJsonObject();
    String id = descriptor.getString("id");
    JsonObject request = descriptor.getJsonArray("parts").getJsonObject(0);
    JsonObject forged = request.copy().put("url", flipSignature(request.getString("url")));
    assertThat(upload(forged, file).statusCode()).as("a signature the server did not make").isEqualTo(403);
    upload(request, file);
    SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", alice, null);
    String url = SERVER.call(HttpMethod.GET, "/v1/attachments/" + id, alice, null).bodyAsJsonObject().getJsonArray("parts")
        .getJsonObject(0).getString("url");
    assertThat(WireClient.await(http.getAbs(url).send()).statusCode()).isEqualTo(200);

    assertThat(WireClient.await(http.getAbs(flipSignature(url)).send()).statusCode()).isEqualTo(403);
    assertThat(WireClient.await(http.putAbs(url).sendBuffer(Buffer.buffer("overwrite"))).statusCode())
        .as("a GET URL used for a PUT").isEqualTo(403);
    assertThat(WireClient.await(http.getAbs(url.replace("/1?", "/2?")).send()).statusCode())
        .as("another object").isEqualTo(403);
    assertThat(WireClient.await(http.getAbs(url.substring(0, url.indexOf('?'))).send()).statusCode())
        .as("no signature at all").isEqualTo(403);

    String shortLived = SERVER.store().download(1, store.keyOf(url), Duration.ofSeconds(1)).url();
    long signedAt = System.currentTimeMillis();
    Poll.until(Duration.ofSeconds(10), () -> System.currentTimeMillis() > signedAt + 2_000, () -> "time passes");
    assertThat(WireClient.await(http.getAbs(shortLived).send()).statusCode()).as("expired").isEqualTo(403);
  }

  @Test
  void oversizedAttachmentsAndPartsAreRefused() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    assertCode(SERVER.call(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", 1_048_577)), 413,
        "ATTACHMENT_TOO_LARGE");
    assertCode(SERVER.call(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", 0)), 400, "INVALID_FIELD");

    // A presigned PUT does not sign the size: the store caps a part at the part size (AttachmentUploadsTest), and
    // completion catches a part of the wrong size below that, refuses the attachment and deletes the part.
    JsonObject wrong = SERVER.call(HttpMethod.POST, "/v1/attachments", alice, new JsonObject().put("size", 1_000))
        .bodyAsJsonObject();
    String id = wrong.getString("id");
    JsonObject part = wrong.getJsonArray("parts").getJsonObject(0);
    assertThat(upload(part, random(2_000)).statusCode()).isEqualTo(200);
    assertCode(SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", alice, null), 413, "ATTACHMENT_TOO_LARGE");
    assertThat(store.stored(store.keyOf(part))).isNull();
  }

  @Test
  void everyAttachmentCallNeedsAValidToken() {
    assertCode(SERVER.call(HttpMethod.POST, "/v1/attachments", null, new JsonObject().put("size", 10)), 401, "TOKEN_MISSING");
    assertCode(WireClient.await(http.getAbs(SERVER.baseUri() + "/v1/attachments/AAAAAAAAAAAAAAAAAAAAAA")
        .bearerTokenAuthentication("not.a.token").send()), 401, "TOKEN_INVALID");
    Session carol = SERVER.accounts().register("carol");
    assertCode(SERVER.call(HttpMethod.GET, "/v1/attachments/AAAAAAAAAAAAAAAAAAAAAA", carol, null), 404, "UNKNOWN_ATTACHMENT");
    assertCode(SERVER.call(HttpMethod.GET, "/v1/attachments/..%2Fetc", carol, null), 404, "UNKNOWN_ATTACHMENT");
  }

  @Test
  void uploadRequestsAreRateLimitedPerAccount() {
    Session dave = SERVER.accounts().register("dave");
    int created = 0;
    HttpResponse<Buffer> last = null;
    while (created < 30) {
      last = SERVER.call(HttpMethod.POST, "/v1/attachments", dave, new JsonObject().put("size", 10));
      if (last.statusCode() != 201) {
        break;
      }
      created++;
    }
    assertThat(created).isEqualTo(20);
    assertCode(last, 429, "RATE_LIMITED");
  }

  @Test
  void theStoreAnswersNoBrowserOriginThatIsNotAllowed() {
    String endpoint = SERVER.server().s3().publicEndpoint();
    HttpResponse<Buffer> preflight = WireClient.await(http.requestAbs(HttpMethod.OPTIONS, endpoint
            + "/courier-attachments").putHeader("Origin", "https://evil.example")
        .putHeader("Access-Control-Request-Method", "POST").send());
    assertThat(preflight.getHeader("Access-Control-Allow-Origin")).isNull();
  }
}
