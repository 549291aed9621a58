package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.media.UploadDescriptor;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.minio.ListObjectsArgs;
import io.minio.PutObjectArgs;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The embedded store (S3Proxy) takes exactly what the server signed for an upload, and a completed attachment
 * never changes: Carol's requests aimed at Bob's attachment, at any other key or at another part are refused; an
 * oversized part and an expired request are refused; a part stored as anything but opaque bytes is refused at
 * completion; and the owner's own upload requests, used again after completion, change nothing anyone downloads.
 */
class AttachmentUploadsTest {
  static final int PART = 64 * 1024;

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("media.partSize=" + PART, "media.maxSize=1048576");

  final PresignedRequests store = new PresignedRequests(SERVER);

  @Test
  void carolsUploadAimedAtBobsCompletedAttachmentIsRefusedAndBobsBytesStay() throws Exception {
    Session bob = SERVER.accounts().register("bob");
    Session carol = SERVER.accounts().register("carol");
    byte[] bobs = random(1_000, 1);
    String bobsId = uploadAndComplete(bob, bobs);
    String bobsKey = store.keyOf(downloadParts(carol, bobsId).getJsonObject(0).getString("url"));
    JsonObject carols = create(carol, 1_000).getJsonArray("parts").getJsonObject(0);

    HttpResponse<Buffer> overwrite = store.upload(store.aimedAt(carols, bobsKey), random(1_000, 2));

    assertThat(overwrite.statusCode()).as(overwrite.bodyAsString()).isEqualTo(403);
    assertThat(store.stored(bobsKey)).isEqualTo(bobs);
    assertThat(download(carol, bobsId)).as("what Bob's downloads return").isEqualTo(bobs);
  }

  @Test
  void anUploadAimedAtAnyOtherKeyOrAtAnotherPartIsRefusedAndNothingIsStoredThere() throws Exception {
    Session carol = SERVER.accounts().register("carol");
    JsonArray parts = create(carol, PART + 10).getJsonArray("parts");
    String part2 = store.keyOf(parts.getJsonObject(1));

    HttpResponse<Buffer> anywhere = store.upload(store.aimedAt(parts.getJsonObject(0), "anything/anything.bin"),
        random(PART, 3));
    HttpResponse<Buffer> otherPart = store.upload(store.aimedAt(parts.getJsonObject(0), part2), random(10, 4));

    assertThat(anywhere.statusCode()).as(anywhere.bodyAsString()).isEqualTo(403);
    assertThat(otherPart.statusCode()).as(otherPart.bodyAsString()).isEqualTo(403);
    assertThat(store.stored("anything/anything.bin")).isNull();
    assertThat(store.stored(part2)).isNull();
  }

  @Test
  void aPartAboveThePartSizeIsRefusedByTheStore() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    JsonObject part = create(alice, PART).getJsonArray("parts").getJsonObject(0);

    HttpResponse<Buffer> oversized = store.upload(part, random(PART + 1, 5));

    assertThat(oversized.statusCode()).as(oversized.bodyAsString()).isEqualTo(400);
    assertThat(oversized.bodyAsString()).contains("EntityTooLarge");
    assertThat(store.stored(store.keyOf(part))).isNull();
  }

  @Test
  void anExpiredUploadRequestIsRefused() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    String key = store.keyOf(create(alice, 1_000).getJsonArray("parts").getJsonObject(0));
    UploadDescriptor shortLived = SERVER.store().upload(1, key, 1_000, Duration.ofSeconds(1));
    long signedAt = System.currentTimeMillis();
    Poll.until(Duration.ofSeconds(10), () -> System.currentTimeMillis() > signedAt + 2_000, () -> "time passes");

    HttpResponse<Buffer> late = store.upload(json(shortLived), random(1_000, 6));

    assertThat(late.statusCode()).as(late.bodyAsString()).isEqualTo(403);
    assertThat(store.stored(key)).isNull();
  }

  @Test
  void aPartStoredAsAnythingButOpaqueBytesIsRefusedAtCompletionAndDeleted() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    JsonObject created = create(alice, 1_000);
    String id = created.getString("id");
    JsonObject part = created.getJsonArray("parts").getJsonObject(0);
    assertThat(store.upload(part, random(1_000, 7), "text/html").statusCode()).isBetween(200, 204);

    HttpResponse<Buffer> completed = SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", alice, null);

    assertThat(completed.statusCode()).as(completed.bodyAsString()).isEqualTo(415);
    assertThat(completed.bodyAsJsonObject().getString("code")).isEqualTo("ATTACHMENT_WRONG_TYPE");
    assertThat(store.stored(store.keyOf(part))).isNull();
    assertThat(SERVER.call(HttpMethod.GET, "/v1/attachments/" + id, alice, null).statusCode()).isEqualTo(404);
  }

  @Test
  void theOwnersUploadRequestUsedAgainAfterCompletionChangesNothingThatDownloadsReturn() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    byte[] first = random(PART + 100, 8);
    JsonObject created = create(alice, first.length);
    String id = created.getString("id");
    JsonArray parts = created.getJsonArray("parts");
    store.upload(parts.getJsonObject(0), Arrays.copyOfRange(first, 0, PART));
    store.upload(parts.getJsonObject(1), Arrays.copyOfRange(first, PART, first.length));
    assertThat(complete(alice, id)).isEqualTo(204);

    store.upload(parts.getJsonObject(0), random(PART, 9));
    store.upload(parts.getJsonObject(1), random(100, 10));

    assertThat(download(bob, id)).isEqualTo(first);
    assertThat(complete(alice, id)).as("completing again").isEqualTo(204);
    assertThat(download(bob, id)).isEqualTo(first);
  }

  @Test
  void completionsAtTheSameMomentAllSucceedAndLeaveOneCopyOfTheParts() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    byte[] bytes = random(PART + 100, 11);
    JsonObject created = create(alice, bytes.length);
    String id = created.getString("id");
    JsonArray parts = created.getJsonArray("parts");
    store.upload(parts.getJsonObject(0), Arrays.copyOfRange(bytes, 0, PART));
    store.upload(parts.getJsonObject(1), Arrays.copyOfRange(bytes, PART, bytes.length));
    WebClient http = WebClient.create(SERVER.vertx());
    List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(http.postAbs(SERVER.baseUri() + "/v1/attachments/" + id + "/complete")
          .bearerTokenAuthentication(alice.accessToken()).send());
    }
    WireClient.await(Future.join(calls));

    assertThat(calls).allSatisfy(call -> assertThat(call.result().statusCode()).as(call.result().bodyAsString())
        .isEqualTo(204));
    assertThat(download(alice, id)).isEqualTo(bytes);
    List<String> kept = new ArrayList<>();
    for (var item : store.store().listObjects(ListObjectsArgs.builder().bucket(store.bucket()).prefix(id + "/")
        .recursive(true).build())) {
      if (!item.get().objectName().endsWith("/")) { // S3Proxy's filesystem store lists folders as "name/"
        kept.add(item.get().objectName());
      }
    }
    assertThat(kept).as("the parts of one version only").hasSize(2);
  }

  @Test
  void downloadsAreServedAsOpaqueBytesWhateverTypeTheObjectWasStoredWith() throws Exception {
    String key = "typed/page.html";
    byte[] page = "<script>alert(1)</script>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    store.store().putObject(PutObjectArgs.builder().bucket(store.bucket()).object(key)
        .stream(new ByteArrayInputStream(page), page.length, -1).contentType("text/html").build());

    HttpResponse<Buffer> got = store.get(SERVER.store().download(1, key, Duration.ofMinutes(1)).url());

    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(got.getHeader("Content-Type")).isEqualTo(PresignedRequests.OPAQUE);
  }

  // ---------------------------------------------------------------- helpers

  private static JsonObject create(Session owner, int size) {
    HttpResponse<Buffer> created = SERVER.call(HttpMethod.POST, "/v1/attachments", owner,
        new JsonObject().put("size", size));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject();
  }

  private static int complete(Session owner, String id) {
    return SERVER.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", owner, null).statusCode();
  }

  /** A one-part attachment of {@code bytes}, uploaded and completed by {@code owner}. */
  private String uploadAndComplete(Session owner, byte[] bytes) {
    JsonObject created = create(owner, bytes.length);
    store.upload(created.getJsonArray("parts").getJsonObject(0), bytes);
    assertThat(complete(owner, created.getString("id"))).isEqualTo(204);
    return created.getString("id");
  }

  private static JsonArray downloadParts(Session reader, String id) {
    HttpResponse<Buffer> answer = SERVER.call(HttpMethod.GET, "/v1/attachments/" + id, reader, null);
    assertThat(answer.statusCode()).as(answer.bodyAsString()).isEqualTo(200);
    return answer.bodyAsJsonObject().getJsonArray("parts");
  }

  /** Every part as the server's download answer says, joined. */
  private byte[] download(Session reader, String id) {
    Buffer whole = Buffer.buffer();
    for (Object part : downloadParts(reader, id)) {
      HttpResponse<Buffer> got = store.get(((JsonObject) part).getString("url"));
      assertThat(got.statusCode()).isEqualTo(200);
      whole.appendBuffer(got.body());
    }
    return whole.getBytes();
  }

  private static JsonObject json(UploadDescriptor request) {
    return new JsonObject().put("part", request.part()).put("method", request.method()).put("url", request.url())
        .put("fields", new JsonObject(new java.util.HashMap<>(request.fields())))
        .put("headers", new JsonObject(new java.util.HashMap<>(request.headers())));
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }
}
