package io.courier.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.limits.RateLimiter;
import io.courier.media.AttachmentService;
import io.courier.media.UploadDescriptor;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Attachments of docs/PROTOCOL.md §1: create (rate-limited per account, {@code limits.uploadsPerMinute}), upload
 * again, complete, and download; every call needs a valid access token.
 */
final class MediaApi {
  private final Gateway gateway;
  private final AttachmentService attachments;
  private final RateLimiter uploadLimiter;

  MediaApi(Gateway gateway, AttachmentService attachments, RateLimiter uploadLimiter) {
    this.gateway = gateway;
    this.attachments = attachments;
    this.uploadLimiter = uploadLimiter;
  }

  void mount(Router router) {
    router.post("/v1/attachments").handler(this::create);
    router.post("/v1/attachments/:id/upload").handler(this::uploadAgain);
    router.post("/v1/attachments/:id/complete").handler(this::complete);
    router.get("/v1/attachments/:id").handler(this::download);
  }

  private void create(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> uploadLimiter.take(me.account())
            .compose(v -> Http.body(rc))
            .compose(body -> attachments.create(me.account(), size(body))))
        .onSuccess(d -> Http.json(rc, 201, json(d)))
        .onFailure(rc::fail);
  }

  private void uploadAgain(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> uploadLimiter.take(me.account()).compose(v -> attachments.uploadAgain(me.account(),
            rc.pathParam("id"))))
        .onSuccess(d -> Http.json(rc, 200, json(d)))
        .onFailure(rc::fail);
  }

  private void complete(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> attachments.complete(me.account(), rc.pathParam("id")))
        .onSuccess(v -> rc.response().setStatusCode(204).end())
        .onFailure(rc::fail);
  }

  private void download(RoutingContext rc) {
    Http.authenticate(rc, gateway)
        .compose(me -> attachments.download(rc.pathParam("id")))
        .onSuccess(d -> Http.json(rc, 200, json(d)))
        .onFailure(rc::fail);
  }

  /** The body's {@code size}, exactly as sent. */
  static long size(JsonNode body) {
    JsonNode size = body.get("size");
    if (size == null || size.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'size' is required");
    }
    // canConvertToLong: asLong() cuts a larger number to its low 64 bits (2^64 + 5 would read as 5).
    if (!size.isIntegralNumber() || !size.canConvertToLong()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'size' must be an integer");
    }
    return size.asLong();
  }

  private static JsonObject json(AttachmentService.Descriptor d) {
    JsonArray parts = new JsonArray();
    for (UploadDescriptor part : d.parts()) {
      JsonObject json = new JsonObject().put("part", part.part()).put("method", part.method()).put("url", part.url());
      if (!part.fields().isEmpty()) {
        json.put("fields", new JsonObject(new java.util.TreeMap<>(part.fields())));
      }
      if (!part.headers().isEmpty()) {
        json.put("headers", new JsonObject(new java.util.TreeMap<>(part.headers())));
      }
      parts.add(json);
    }
    return new JsonObject().put("id", d.id()).put("size", d.size()).put("partSize", d.partSize())
        .put("expiresIn", d.expiresIn()).put("parts", parts);
  }
}
