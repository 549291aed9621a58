package io.courier.client.media;

import io.courier.client.CourierException;
import io.courier.client.media.Descriptors.PartRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One part to or from the object store, with a presigned request: the ciphertext goes straight between this client
 * and the store, never through the Courier server.
 *
 * <p><b>Upload</b> ({@link #upload}), as the request's {@code method} says:
 * <ul>
 *   <li>{@code PUT}: the part's bytes as the body, with the request's {@code headers}
 *       ({@code Content-Type: application/octet-stream});</li>
 *   <li>{@code POST}: a {@code multipart/form-data} form with every field of the request, then the part's bytes as
 *       the last field, {@code file}; the form's head and closing boundary are built by hand around the bytes.</li>
 * </ul>
 * Either way the bytes are streamed from a range of the ciphertext file in chunks of
 * {@value AttachmentCipher#CHUNK} bytes (each read, then written to the socket, then the next), with an exact
 * {@code Content-Length}.
 *
 * <p><b>Download</b> ({@link #download}): a GET whose body is written chunk by chunk into a {@link CiphertextSink};
 * the response is paused while a chunk is written.
 *
 * <p>A store's refusal becomes a {@link CourierException} with code {@link Attachments#STORE_REFUSED}, the store's
 * HTTP status and, in the message, the S3 error code ({@code AccessDenied}, {@code SignatureDoesNotMatch} ...);
 * {@code 403} is what an expired or tampered request gets. A broken connection or an idle store fails with the
 * transport's exception.
 *
 * @implNote At most one chunk of a part is in memory at a time, plus the HTTP client's own buffers. Nothing is
 *     retried here (see {@link Upload}, {@link Download}).
 */
final class StoreTransfers {

  /** A store that sends or takes nothing for this long fails the part. */
  static final long IDLE_TIMEOUT_MILLIS = 30_000;

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern S3_CODE = Pattern.compile("<Code>([^<]{1,64})</Code>");

  private final HttpClient http;

  StoreTransfers(HttpClient http) {
    this.http = http;
  }

  /**
   * Uploads bytes {@code [offset, offset + length)} of {@code source} with the presigned request {@code request}.
   *
   * @param sent told the number of bytes of each chunk once it was written to the socket
   */
  Future<Void> upload(PartRequest request, AsyncFile source, long offset, long length, LongConsumer sent) {
    return switch (request.method()) {
      case "PUT" -> put(request, source, offset, length, sent);
      case "POST" -> post(request, source, offset, length, sent);
      default -> Future.failedFuture(new CourierException(CourierException.UNEXPECTED_RESPONSE, 0, "part "
          + request.part() + " is to be uploaded with " + request.method() + ", which this client does not send",
          false, 0));
    };
  }

  private Future<Void> put(PartRequest request, AsyncFile source, long offset, long length, LongConsumer sent) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.PUT)
        .setAbsoluteURI(request.url())
        .setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    request.headers().forEach(options::putHeader);
    options.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(length));
    return send(options, Buffer.buffer(), Buffer.buffer(), request.part(), source, offset, length, sent);
  }

  private Future<Void> post(PartRequest request, AsyncFile source, long offset, long length, LongConsumer sent) {
    String boundary = "courier-" + HexFormat.of().formatHex(randomBytes(12));
    Buffer head = formHead(request.fields(), boundary);
    Buffer tail = Buffer.buffer("\r\n--" + boundary + "--\r\n", "US-ASCII");
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(request.url())
        .setIdleTimeout(IDLE_TIMEOUT_MILLIS)
        .putHeader(HttpHeaders.CONTENT_TYPE, "multipart/form-data; boundary=" + boundary)
        .putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(head.length() + length + tail.length()));
    return send(options, head, tail, request.part(), source, offset, length, sent);
  }

  /** Sends {@code head}, the range, then {@code tail} as the body of the request {@code options} describe. */
  private Future<Void> send(RequestOptions options, Buffer head, Buffer tail, int part, AsyncFile source,
      long offset, long length, LongConsumer sent) {
    return http.request(options).compose(out -> {
      Future<HttpClientResponse> response = out.response();
      Future<Void> body = out.write(head)
          .compose(written -> writeRange(out, response, source, offset, length, sent))
          .compose(written -> out.end(tail));
      body.onFailure(failed -> {
        if (!response.isComplete()) {
          out.reset(0, failed); // the file could not be read: give up the request (the response fails)
        }
      });
      return response.compose(answer -> expect(answer, part).eventually(() -> {
        if (!body.isComplete()) {
          out.reset(0); // the store answered before it had the whole part: the connection cannot be reused
        }
        return Future.succeededFuture();
      }));
    });
  }

  /** Streams the range chunk by chunk; stops when the store has answered already (a refusal needs no more bytes). */
  private Future<Void> writeRange(HttpClientRequest out, Future<HttpClientResponse> response, AsyncFile source,
      long position, long left, LongConsumer sent) {
    if (left == 0) {
      return Future.succeededFuture();
    }
    if (response.isComplete()) {
      return Future.failedFuture(new IOException("the store answered before the part was sent"));
    }
    int length = (int) Math.min(AttachmentCipher.CHUNK, left);
    return source.read(Buffer.buffer(length), 0, position, length)
        .compose(chunk -> chunk.length() == length
            ? out.write(chunk)
            : Future.failedFuture(new IOException("the ciphertext file ended before byte " + (position + length))))
        .compose(written -> {
          sent.accept(length);
          return writeRange(out, response, source, position + length, left - length, sent);
        });
  }

  /**
   * Downloads one part into {@code sink}, which must be positioned at the part's first byte.
   *
   * @param length the part's size; a longer or shorter body fails the part
   * @param received told the number of bytes of each chunk once it was written to the file
   */
  Future<Void> download(PartRequest request, long length, CiphertextSink sink, LongConsumer received) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setAbsoluteURI(request.url())
        .setIdleTimeout(IDLE_TIMEOUT_MILLIS);
    return http.request(options)
        .compose(HttpClientRequest::send)
        .compose(response -> response.statusCode() == 200
            ? receive(response, length, sink, received, request.part())
            : refusal(response, request.part()));
  }

  private static Future<Void> receive(HttpClientResponse response, long length, CiphertextSink sink,
      LongConsumer received, int part) {
    Promise<Void> done = Promise.promise();
    long[] count = {0};
    @SuppressWarnings("unchecked")
    Future<Void>[] lastWrite = new Future[] {Future.succeededFuture()};
    response.exceptionHandler(done::tryFail);
    response.handler(chunk -> {
      count[0] += chunk.length();
      if (count[0] > length) {
        done.tryFail(new IOException("part " + part + " is longer than " + length + " bytes"));
        response.request().reset(0);
        return;
      }
      response.pause();
      lastWrite[0] = sink.write(chunk)
          .onSuccess(written -> {
            received.accept(chunk.length());
            response.resume();
          })
          .onFailure(done::tryFail);
    });
    response.endHandler(end -> lastWrite[0].onSuccess(written -> {
      if (count[0] == length) {
        done.tryComplete();
      } else {
        done.tryFail(new IOException("part " + part + " ended after " + count[0] + " of " + length + " bytes"));
      }
    }));
    return done.future();
  }

  private static Future<Void> expect(HttpClientResponse response, int part) {
    int status = response.statusCode();
    if (status == 200 || status == 201 || status == 204) {
      return response.end();
    }
    return refusal(response, part);
  }

  private static Future<Void> refusal(HttpClientResponse response, int part) {
    int status = response.statusCode();
    return response.body()
        .recover(unread -> Future.succeededFuture(Buffer.buffer()))
        .compose(body -> Future.failedFuture(new CourierException(Attachments.STORE_REFUSED, status,
            "the object store answered " + status + s3Code(body) + " for part " + part,
            status >= 500 || status == 408 || status == 429, 0)));
  }

  /** The S3 error code of an error body, as {@code " (AccessDenied)"}, or nothing. */
  private static String s3Code(Buffer body) {
    Matcher code = S3_CODE.matcher(body.toString(StandardCharsets.UTF_8));
    return code.find() ? " (" + code.group(1) + ")" : "";
  }

  /** Every field of the form, then the head of the {@code file} field; the part's bytes follow it. */
  static Buffer formHead(Map<String, String> fields, String boundary) {
    StringBuilder head = new StringBuilder();
    fields.forEach((name, value) -> head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(name).append("\"\r\n\r\n")
        .append(value).append("\r\n"));
    head.append("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"file\"; filename=\"blob\"\r\n")
        .append("Content-Type: application/octet-stream\r\n\r\n");
    return Buffer.buffer(head.toString(), "UTF-8");
  }

  private static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }
}
