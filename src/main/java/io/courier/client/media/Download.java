package io.courier.client.media;

import io.courier.client.CourierException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.nio.file.Path;

/**
 * Fetches an attachment, checks it, and decrypts it into place.
 *
 * <p>Steps:
 * <ol>
 *   <li>{@code GET /v1/attachments/{id}}: presigned downloads. A size other than the pointer's is refused at once
 *       ({@link Attachments#DIGEST_MISMATCH}).</li>
 *   <li>Every part in order into a temporary file next to the destination ({@code .<name>.<random>.download}),
 *       hashing the bytes as they are written ({@link CiphertextSink}). A part that fails is fetched again from its
 *       first byte, at most {@value Upload#MAX_ATTEMPTS} times in all. URLs about to expire, or refused with
 *       {@code 403}, are replaced by fresh ones (the same {@code GET}) first.</li>
 *   <li>The SHA-256 and size are compared with the pointer's: on a mismatch nothing is decrypted
 *       ({@link Attachments#DIGEST_MISMATCH}).</li>
 *   <li>{@link AttachmentCipher#decrypt} on a worker: the GCM tag is checked at the end, and only then does the file
 *       appear at the destination ({@link Attachments#TAG_MISMATCH} otherwise).</li>
 *   <li>The temporary ciphertext is deleted, whatever happened.</li>
 * </ol>
 *
 * @implNote One part at a time, one chunk at a time: memory does not depend on the file's size. The destination's
 *     folder holds up to twice the file's size while it runs (the ciphertext and the plaintext being written). Runs
 *     on one Vert.x context; not reusable.
 */
final class Download {

  private static final System.Logger LOG = System.getLogger(Download.class.getName());

  private final Vertx vertx;
  private final AttachmentsApi api;
  private final StoreTransfers store;
  private final AttachmentPointer pointer;
  private final Progress progress;
  private Descriptors current;
  private CiphertextSink sink;
  /** Bytes of the parts written so far. */
  private long received;

  Download(Vertx vertx, AttachmentsApi api, StoreTransfers store, AttachmentPointer pointer, Progress progress) {
    this.vertx = vertx;
    this.api = api;
    this.store = store;
    this.pointer = pointer;
    this.progress = progress;
  }

  /** Downloads, checks and decrypts into {@code destination} (replaced if it exists; its folder is created). */
  Future<Void> run(Path destination) {
    Path folder = destination.toAbsolutePath().getParent();
    return api.downloads(pointer.id())
        .compose(descriptors -> {
          current = descriptors;
          return checkSize(descriptors);
        })
        .compose(sized -> vertx.fileSystem().mkdirs(folder.toString()))
        .compose(made -> vertx.fileSystem().createTempFile(folder.toString(), "." + destination.getFileName() + ".",
            ".download", (String) null))
        .compose(temp -> CiphertextSink.open(vertx, Path.of(temp)))
        .compose(opened -> {
          sink = opened;
          return fetchParts(1)
              .compose(fetched -> sink.finish(pointer.digest(), pointer.ciphertextSize()))
              .compose(checked -> vertx.<Void>executeBlocking(() -> {
                AttachmentCipher.decrypt(sink.path(), pointer.key(), pointer.nonce(), destination);
                return null;
              }, false))
              .eventually(sink::delete);
        });
  }

  private Future<Void> checkSize(Descriptors descriptors) {
    if (descriptors.size() == pointer.ciphertextSize()) {
      return Future.succeededFuture();
    }
    return Future.failedFuture(new CourierException(Attachments.DIGEST_MISMATCH, 0, "attachment " + pointer.id()
        + " is stored with " + descriptors.size() + " bytes, the pointer says " + pointer.ciphertextSize()
        + "; nothing was downloaded", false, 0));
  }

  private Future<Void> fetchParts(int part) {
    if (part > current.parts().size()) {
      return Future.succeededFuture();
    }
    sink.mark();
    return fetchPart(part, 1).compose(done -> {
      received += current.length(part);
      return fetchParts(part + 1);
    });
  }

  private Future<Void> fetchPart(int part, int attempt) {
    long[] written = {0};
    return renewIfExpiring()
        .compose(fresh -> store.download(current.part(part), current.length(part), sink, chunk -> {
          written[0] += chunk;
          progress.update(received + written[0], current.size());
        }))
        .recover(failure -> retry(part, attempt, failure));
  }

  private Future<Void> renewIfExpiring() {
    return current.expiresWithin(Upload.RENEW_MARGIN_MILLIS, System.nanoTime())
        ? renew()
        : Future.succeededFuture();
  }

  private Future<Void> retry(int part, int attempt, Throwable failure) {
    if (attempt >= Upload.MAX_ATTEMPTS || !Upload.retryable(failure)) {
      return Future.failedFuture(failure);
    }
    LOG.log(Level.DEBUG, "part {0} of attachment {1} failed ({2}); try {3}", part, pointer.id(), failure,
        attempt + 1);
    sink.rollback();
    progress.update(received, current.size());
    Future<Void> before = Upload.isRefusedForm(failure)
        ? renew()
        : vertx.timer(Upload.FIRST_RETRY_DELAY_MILLIS << (attempt - 1)).mapEmpty();
    return before.compose(ready -> fetchPart(part, attempt + 1));
  }

  private Future<Void> renew() {
    return api.downloads(pointer.id()).compose(fresh -> {
      if (fresh.size() != current.size() || fresh.partSize() != current.partSize()) {
        return Future.failedFuture(new CourierException(CourierException.UNEXPECTED_RESPONSE, 0, "fresh downloads "
            + "for attachment " + pointer.id() + " cut it differently", false, 0));
      }
      current = fresh;
      return Future.succeededFuture();
    });
  }
}
