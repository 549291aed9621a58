package io.courier.client.media;

import io.courier.client.signal.BearerWeb;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * The server's attachment endpoints (PROTOCOL.md §1 "Attachments"), called as the messenger's Device through its
 * {@link BearerWeb} (a {@code TOKEN_EXPIRED} answer refreshes the token once). Failures are
 * {@link io.courier.client.CourierException}s with the server's code: {@code ATTACHMENT_TOO_LARGE},
 * {@code ATTACHMENT_INCOMPLETE}, {@code UNKNOWN_ATTACHMENT}, {@code RATE_LIMITED} ...
 */
final class AttachmentsApi {

  private final BearerWeb api;

  AttachmentsApi(BearerWeb api) {
    this.api = api;
  }

  /** {@code POST /v1/attachments}: a new attachment of {@code size} ciphertext bytes and its upload requests. */
  Future<Descriptors> create(long size) {
    return api.call(HttpMethod.POST, "/v1/attachments", new JsonObject().put("size", size), 201)
        .map(response -> Descriptors.parse(response.bodyAsJsonObject()));
  }

  /** {@code POST /v1/attachments/{id}/upload}: fresh upload requests for an attachment not completed yet. */
  Future<Descriptors> uploadAgain(String id) {
    return api.call(HttpMethod.POST, "/v1/attachments/" + id + "/upload", new JsonObject(), 200)
        .map(response -> Descriptors.parse(response.bodyAsJsonObject()));
  }

  /** {@code POST /v1/attachments/{id}/complete}: the server checks every part, then the attachment can be fetched. */
  Future<Void> complete(String id) {
    return api.call(HttpMethod.POST, "/v1/attachments/" + id + "/complete", new JsonObject(), 204).mapEmpty();
  }

  /** {@code GET /v1/attachments/{id}}: presigned downloads of a completed attachment. */
  Future<Descriptors> downloads(String id) {
    return api.call(HttpMethod.GET, "/v1/attachments/" + id, null, 200)
        .map(response -> Descriptors.parse(response.bodyAsJsonObject()));
  }
}
