package io.courier.client.media;

import io.courier.client.CourierException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Encrypts a file, sends the ciphertext to the object store part after part, and completes the attachment.
 *
 * <p>Steps:
 * <ol>
 *   <li>{@code POST /v1/attachments} with the ciphertext's size (the file's plus 16): a file above the server's
 *       limit is refused before any work.</li>
 *   <li>{@link AttachmentCipher#encrypt} into a temporary file ({@code java.io.tmpdir}), on a worker; a size other
 *       than announced fails with {@link Attachments#FILE_CHANGED}.</li>
 *   <li>Each part in order, with its presigned request: a PUT or a form POST ({@link StoreTransfers#upload}).</li>
 *   <li>{@code POST /v1/attachments/{id}/complete}; the temporary file is deleted whatever happened.</li>
 * </ol>
 * <p>Failures:
 * <ul>
 *   <li><b>Retries.</b> A part that fails (a broken connection, an idle store, a {@code 5xx}, {@code 408} or
 *       {@code 429}) is sent again from its first byte after a short pause, at most {@value #MAX_ATTEMPTS} times in
 *       all.</li>
 *   <li><b>Resume.</b> Forms expire ({@code expiresIn}). They are renewed ({@code POST /v1/attachments/{id}/upload})
 *       before a part when they expire within {@value #RENEW_MARGIN_MILLIS} ms (or a quarter of their lifetime), and
 *       when the store refuses a part with {@code 403} (an expired or refused form); the parts already stored are not
 *       sent again.</li>
 *   <li><b>Completion.</b> If the server still finds a part missing ({@code ATTACHMENT_INCOMPLETE}), every part is
 *       sent again once with fresh forms (the answer does not say which part), then the completion is repeated.</li>
 * </ul>
 *
 * @implNote One part at a time, one chunk at a time (see {@link StoreTransfers}): memory does not depend on the
 *     file's size. Runs on one Vert.x context; not reusable.
 */
final class Upload {

  /** Tries per part, the first included. */
  static final int MAX_ATTEMPTS = 4;
  /** Forms that expire within this long are renewed before the next part. */
  static final long RENEW_MARGIN_MILLIS = 10_000;
  /** The pause before the second try of a part; it doubles for each further try. */
  static final long FIRST_RETRY_DELAY_MILLIS = 250;

  private static final System.Logger LOG = System.getLogger(Upload.class.getName());

  private final Vertx vertx;
  private final AttachmentsApi api;
  private final StoreTransfers store;
  private final Progress progress;
  private Descriptors current;
  private AsyncFile source;
  /** Bytes of the parts stored so far. */
  private long stored;

  Upload(Vertx vertx, AttachmentsApi api, StoreTransfers store, Progress progress) {
    this.vertx = vertx;
    this.api = api;
    this.store = store;
    this.progress = progress;
  }

  /** Encrypts and uploads {@code file}; the pointer names it with {@code contentType} and {@code fileName}. */
  Future<AttachmentPointer> run(Path file, String contentType, String fileName) {
    return vertx.fileSystem().props(file.toString())
        .compose(props -> props.isRegularFile()
            ? api.create(props.size() + AttachmentPointer.TAG_BYTES)
            : Future.failedFuture(new IllegalArgumentException(file + " is not a regular file")))
        .compose(descriptors -> vertx.fileSystem().createTempFile("courier-attachment-", ".encrypted")
            .compose(temp -> encryptAndSend(file, Path.of(temp), descriptors)
                .eventually(() -> vertx.fileSystem().delete(temp))))
        .map(sealed -> new AttachmentPointer(current.id(), sealed.key(), sealed.nonce(), sealed.digest(),
            sealed.plaintextSize(), sealed.ciphertextSize(), contentType, fileName));
  }

  private Future<AttachmentCipher.Sealed> encryptAndSend(Path file, Path ciphertext, Descriptors descriptors) {
    return vertx.executeBlocking(() -> AttachmentCipher.encrypt(file, ciphertext), false)
        .compose(sealed -> sealed.ciphertextSize() == descriptors.size()
            ? Future.succeededFuture(sealed)
            : Future.failedFuture(new CourierException(Attachments.FILE_CHANGED, 0, file + " changed size while it "
                + "was sent (" + (descriptors.size() - AttachmentPointer.TAG_BYTES) + " bytes, then "
                + sealed.plaintextSize() + ")", false, 0)))
        .compose(sealed -> send(ciphertext, descriptors).map(sealed));
  }

  /** Uploads {@code ciphertext} with the forms of {@code descriptors}, renewed as needed, and completes it. */
  Future<Void> send(Path ciphertext, Descriptors descriptors) {
    current = descriptors;
    return vertx.fileSystem().open(ciphertext.toString(), new OpenOptions().setRead(true).setWrite(false))
        .compose(file -> {
          source = file;
          return uploadParts(1).compose(done -> complete(false)).eventually(file::close);
        });
  }

  private Future<Void> uploadParts(int part) {
    if (part > current.parts().size()) {
      return Future.succeededFuture();
    }
    return uploadPart(part, 1).compose(done -> {
      stored += current.length(part);
      return uploadParts(part + 1);
    });
  }

  private Future<Void> uploadPart(int part, int attempt) {
    long[] sent = {0};
    return renewIfExpiring()
        .compose(fresh -> store.upload(current.part(part), source, current.offset(part), current.length(part),
            chunk -> {
              sent[0] += chunk;
              progress.update(stored + sent[0], current.size());
            }))
        .recover(failure -> retry(part, attempt, failure));
  }

  private Future<Void> retry(int part, int attempt, Throwable failure) {
    if (attempt >= MAX_ATTEMPTS || !retryable(failure)) {
      return Future.failedFuture(failure);
    }
    LOG.log(Level.DEBUG, "part {0} of attachment {1} failed ({2}); try {3}", part, current.id(), failure,
        attempt + 1);
    progress.update(stored, current.size());
    Future<Void> before = isRefusedForm(failure)
        ? renew()
        : vertx.timer(FIRST_RETRY_DELAY_MILLIS << (attempt - 1)).mapEmpty();
    return before.compose(ready -> uploadPart(part, attempt + 1));
  }

  private Future<Void> complete(boolean resent) {
    return api.complete(current.id()).recover(failure -> {
      if (resent || !(failure instanceof CourierException refused)
          || !"ATTACHMENT_INCOMPLETE".equals(refused.code())) {
        return Future.failedFuture(failure);
      }
      LOG.log(Level.INFO, "attachment {0} incomplete after every part was stored ({1}); sending every part again",
          current.id(), refused.getMessage());
      stored = 0;
      return renew().compose(fresh -> uploadParts(1)).compose(again -> complete(true));
    });
  }

  private Future<Void> renewIfExpiring() {
    return current.expiresWithin(RENEW_MARGIN_MILLIS, System.nanoTime()) ? renew() : Future.succeededFuture();
  }

  private Future<Void> renew() {
    return api.uploadAgain(current.id()).compose(fresh -> {
      if (fresh.size() != current.size() || fresh.partSize() != current.partSize()) {
        return Future.failedFuture(new CourierException(CourierException.UNEXPECTED_RESPONSE, 0, "renewed forms "
            + "for attachment " + current.id() + " cut it differently (" + fresh.size() + "/" + fresh.partSize()
            + " bytes)", false, 0));
      }
      current = fresh;
      return Future.succeededFuture();
    });
  }

  /** A {@code 403} from the store: the form expired, or the store refused its signature. */
  static boolean isRefusedForm(Throwable failure) {
    return failure instanceof CourierException refused && Attachments.STORE_REFUSED.equals(refused.code())
        && refused.status() == 403;
  }

  /**
   * Whether a part may succeed when tried again: a store refusal that is temporary or a refused form, or a failure
   * of the connection (anything that is not a {@link CourierException}); not the server's refusals.
   */
  static boolean retryable(Throwable failure) {
    if (failure instanceof CourierException refused) {
      return Attachments.STORE_REFUSED.equals(refused.code()) && (refused.temporary() || refused.status() == 403);
    }
    return true;
  }
}
