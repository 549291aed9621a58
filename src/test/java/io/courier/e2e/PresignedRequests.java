package io.courier.e2e;

import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.errors.ErrorResponseException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A client's side of the presigned requests of PROTOCOL.md §1 "Attachments", as plain HTTP: a part sent as its
 * descriptor says (a PUT with its headers, or a form POST), the same request aimed at another object key, and what
 * the store holds, read with the store's own credentials.
 */
final class PresignedRequests {
  static final String OPAQUE = "application/octet-stream";

  private final ServerExtension server;
  private final WebClient http;

  PresignedRequests(ServerExtension server) {
    this.server = server;
    this.http = WebClient.create(server.vertx());
  }

  /** Sends one part as its descriptor says. */
  HttpResponse<Buffer> upload(JsonObject part, byte[] bytes) {
    return upload(part, bytes, OPAQUE);
  }

  /** Sends one part as its descriptor says, but declaring {@code contentType} for its bytes. */
  HttpResponse<Buffer> upload(JsonObject part, byte[] bytes, String contentType) {
    if ("PUT".equals(part.getString("method"))) {
      HttpRequest<Buffer> put = http.putAbs(part.getString("url"));
      part.getJsonObject("headers", new JsonObject()).forEach(h -> put.putHeader(h.getKey(), (String) h.getValue()));
      put.putHeader("Content-Type", contentType);
      return WireClient.await(put.sendBuffer(Buffer.buffer(bytes)));
    }
    MultipartForm form = MultipartForm.create();
    part.getJsonObject("fields").forEach(field -> form.attribute(field.getKey(),
        "Content-Type".equals(field.getKey()) ? contentType : (String) field.getValue()));
    form.binaryFileUpload("file", "part", Buffer.buffer(bytes), contentType);
    return WireClient.await(http.postAbs(part.getString("url")).sendMultipartForm(form));
  }

  HttpResponse<Buffer> get(String url) {
    return WireClient.await(http.getAbs(url).send());
  }

  /** The object key a request is for: a form's {@code key} field, else its URL's path after the bucket. */
  String keyOf(JsonObject part) {
    JsonObject fields = part.getJsonObject("fields");
    return fields != null && fields.containsKey("key") ? fields.getString("key") : keyOf(part.getString("url"));
  }

  String keyOf(String url) {
    String path = URI.create(url).getRawPath();
    return URLDecoder.decode(path.substring(("/" + bucket() + "/").length()), StandardCharsets.UTF_8);
  }

  /** The same request, its key changed to {@code key}: in a form's fields, or in a URL's path. */
  JsonObject aimedAt(JsonObject part, String key) {
    JsonObject changed = part.copy();
    if ("POST".equals(part.getString("method"))) {
      changed.getJsonObject("fields").put("key", key);
    } else {
      URI url = URI.create(part.getString("url"));
      changed.put("url", url.getScheme() + "://" + url.getRawAuthority() + "/" + bucket() + "/" + key + "?"
          + url.getRawQuery());
    }
    return changed;
  }

  /** What the store holds at {@code key}, or null when it holds nothing there. */
  byte[] stored(String key) throws Exception {
    try (InputStream in = store().getObject(GetObjectArgs.builder().bucket(bucket()).object(key).build())) {
      return in.readAllBytes();
    } catch (ErrorResponseException e) {
      if ("NoSuchKey".equals(e.errorResponse().code())) {
        return null;
      }
      throw e;
    }
  }

  MinioClient store() {
    var s3 = server.server().s3();
    return MinioClient.builder().endpoint(s3.endpoint()).region(server.server().config().media().region())
        .credentials(s3.accessKey(), s3.secretKey()).build();
  }

  String bucket() {
    return server.server().config().media().bucket();
  }
}
