package io.courier.client.media;

import io.courier.client.CourierException;
import io.courier.client.signal.DecryptedMessage;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import java.nio.file.Path;
import java.util.Optional;

/**
 * End-to-end encrypted attachments (photos, videos, files) for a {@link SecureMessenger}: the file is encrypted on
 * this device with a fresh key, the ciphertext goes straight to the object store with presigned requests, and only a
 * small {@link AttachmentPointer} (id, key, digest, sizes) travels in an end-to-end encrypted message. The server
 * sees ids and sizes; the store sees ciphertext; the WebSocket never carries the file.
 *
 * <pre>{@code
 * // sending
 * Attachments.send(messenger, "bob", Path.of("photo.jpg"), "image/jpeg", (done, total) -> {}).await();
 * // receiving, in MessengerListener.onMessage
 * Optional<AttachmentPointer> pointer = Attachments.pointerIn(message);
 * if (pointer.isPresent()) {
 *   Attachments.download(messenger, pointer.get(), downloads.resolve(pointer.get().safeFileName()), Progress.NONE);
 * }
 * }</pre>
 *
 * <p><b>Sending</b> ({@link #send}, {@link #upload}): {@code POST /v1/attachments} with the ciphertext's size (the
 * file's plus 16, known before encrypting, so a file above the server's limit is refused before any work); the file
 * is encrypted into a temporary file ({@link AttachmentCipher}); the parts are uploaded with retries and renewed
 * requests ({@link Upload}); the attachment is completed; then the pointer is sent with
 * {@link SecureMessenger#send}, to every Device of the recipient and this Account's other Devices.
 *
 * <p><b>Receiving</b> ({@link #pointerIn}, {@link #download}): recognise a pointer message by its marker, then fetch
 * the parts, check the digest before decrypting, decrypt and check the tag ({@link Download}).
 *
 * <p><b>Failures</b> carry a {@link CourierException} code: the server's ({@code ATTACHMENT_TOO_LARGE},
 * {@code UNKNOWN_ATTACHMENT}, {@code RATE_LIMITED} ...), the messenger's for the pointer message, or one of the
 * constants below.
 *
 * @implNote Memory is bounded by construction, not by the file: every step works on chunks of 64 KiB (encryption,
 *     upload, download, hashing, decryption), one at a time, so a 100 MiB file needs the same heap as a 1 MiB one.
 *     Disk: the sender needs room for one ciphertext copy in the temporary folder ({@code java.io.tmpdir}); the
 *     receiver for the ciphertext and the plaintext in the destination's folder. Each call runs on one Vert.x
 *     context (the caller's, or a new one) with its own HTTP client for the store, closed at the end; the server
 *     calls use the messenger's tokens ({@link SecureMessenger#api()}), so the messenger must stay open until the
 *     future completes. Parts go one after the other; there is no parallel upload. A pointer is a capability: anyone
 *     holding it (and a token of any Account) can fetch and decrypt the file until it expires on the server.
 */
public final class Attachments {

  /** The downloaded ciphertext is not what the pointer names (size or SHA-256): nothing was decrypted. */
  public static final String DIGEST_MISMATCH = "ATTACHMENT_DIGEST_MISMATCH";

  /** The GCM tag did not verify (a wrong key or nonce, or changed bytes): no file was written. */
  public static final String TAG_MISMATCH = "ATTACHMENT_TAG_MISMATCH";

  /**
   * The object store refused a part after every retry; the exception's {@link CourierException#status()} is the
   * store's HTTP status and its message names the store's error code.
   */
  public static final String STORE_REFUSED = "STORE_REFUSED";

  /** The file's size changed between the attachment's creation and its encryption. */
  public static final String FILE_CHANGED = "FILE_CHANGED";

  /** The type recorded when the caller gives none. */
  public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  /** Connecting to the object store either works within this time or the part fails (and is retried). */
  static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private Attachments() {
  }

  /**
   * Uploads {@code file} ({@link #upload}) and sends its pointer to {@code to} ({@link SecureMessenger#send}).
   *
   * @param contentType the MIME type to tell the recipient, or null for {@value #DEFAULT_CONTENT_TYPE}
   * @param progress told the upload's progress, on the transfer's context
   * @return the pointer and the server's {@code sent}; fails as {@link #upload} does, or with the messenger's codes
   *     for the pointer message (the upload is then complete but nobody was told: sending the same pointer again
   *     with {@code messenger.send(to, pointer.toMessage())} is fine)
   */
  public static Future<SentAttachment> send(SecureMessenger messenger, String to, Path file, String contentType,
      Progress progress) {
    return upload(messenger, file, contentType, progress)
        .compose(pointer -> messenger.send(to, pointer.toMessage()).map(sent -> new SentAttachment(pointer, sent)));
  }

  /**
   * Encrypts {@code file} and uploads it as a new attachment, without telling anyone: send
   * {@link AttachmentPointer#toMessage()} end-to-end encrypted to whoever should get it.
   *
   * @return the completed attachment's pointer; fails with the server's codes ({@code ATTACHMENT_TOO_LARGE} before
   *     any work), {@link #STORE_REFUSED}, {@link #FILE_CHANGED}, or an I/O or connection failure after the
   *     retries. The temporary ciphertext is deleted in every case.
   */
  public static Future<AttachmentPointer> upload(SecureMessenger messenger, Path file, String contentType,
      Progress progress) {
    String type = contentType == null || contentType.isBlank() ? DEFAULT_CONTENT_TYPE : contentType;
    String name = fileName(file);
    return withStore(messenger, (vertx, store) -> new Upload(vertx, new AttachmentsApi(messenger.api()), store,
        progress).run(file, type, name));
  }

  /**
   * The pointer in a received message, or empty when the message is not an attachment (text, or anything without
   * the pointer marker).
   *
   * @throws IllegalArgumentException when the message has the marker but cannot be read (another version, or
   *     malformed): show it as an attachment this client cannot open, not as text
   */
  public static Optional<AttachmentPointer> pointerIn(DecryptedMessage message) {
    return AttachmentPointer.isPointer(message.plaintext())
        ? Optional.of(AttachmentPointer.fromMessage(message.plaintext()))
        : Optional.empty();
  }

  /**
   * Downloads, checks and decrypts the attachment into {@code destination}, which is replaced if it exists (its
   * folder is created). The file appears there only once its digest and its tag have been checked.
   *
   * @param destination where to save it; choose it in a folder of the app's, from {@link
   *     AttachmentPointer#safeFileName()}, never from the sender's name as is
   * @param progress told the download's progress, on the transfer's context
   * @return the destination; fails with {@code UNKNOWN_ATTACHMENT} (unknown, not completed, or expired),
   *     {@link #DIGEST_MISMATCH}, {@link #TAG_MISMATCH}, {@link #STORE_REFUSED}, or an I/O or connection failure
   *     after the retries; the temporary files are deleted in every case
   */
  public static Future<Path> download(SecureMessenger messenger, AttachmentPointer pointer, Path destination,
      Progress progress) {
    return withStore(messenger, (vertx, store) -> new Download(vertx, new AttachmentsApi(messenger.api()), store,
        pointer, progress).run(destination).map(destination));
  }

  /** Runs {@code transfer} on one context with an HTTP client for the store, closed when it ends. */
  private static <T> Future<T> withStore(SecureMessenger messenger, Transfer<T> transfer) {
    Vertx vertx = messenger.vertx();
    Context context = vertx.getOrCreateContext();
    Promise<T> result = Promise.promise();
    context.runOnContext(started -> {
      HttpClientAgent http = vertx.createHttpClient(new HttpClientOptions()
          .setConnectTimeout(CONNECT_TIMEOUT_MILLIS));
      Future<T> done;
      try {
        done = transfer.run(vertx, new StoreTransfers(http));
      } catch (RuntimeException failed) {
        done = Future.failedFuture(failed);
      }
      done.eventually(http::close).onComplete(result);
    });
    return result.future();
  }

  @FunctionalInterface
  private interface Transfer<T> {
    Future<T> run(Vertx vertx, StoreTransfers store);
  }

  /** The last part of the path, cut to what a pointer holds. */
  private static String fileName(Path file) {
    Path name = file.getFileName();
    String text = name == null ? "" : name.toString();
    return text.length() <= AttachmentPointer.MAX_TEXT ? text : text.substring(text.length()
        - AttachmentPointer.MAX_TEXT);
  }
}
