package io.courier.client.media;

import io.courier.client.CourierException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The ciphertext of a download as it arrives: written front to back into a temporary file while its SHA-256 is
 * computed, so the digest is known the moment the last byte is written, without reading the file again.
 *
 * <p>A part that fails half-way is fetched again from its start: {@link #mark()} before a part, {@link #rollback()}
 * before fetching it again (the digest and the write position go back to the mark; the part's bytes are then
 * written over).
 *
 * @implNote Writes go through an {@link AsyncFile}; callers write one chunk at a time and wait for it, so at most one
 *     network chunk is held per download. Hashing runs on the calling event loop (well under a millisecond per
 *     64 KiB). Not thread-safe: one download uses it, on one context.
 */
final class CiphertextSink {

  private final Vertx vertx;
  private final Path path;
  private final AsyncFile file;
  private MessageDigest digest = AttachmentCipher.sha256();
  private long position;
  private MessageDigest markedDigest = cloneOf(digest);
  private long markedPosition;
  private boolean closed;

  private CiphertextSink(Vertx vertx, Path path, AsyncFile file) {
    this.vertx = vertx;
    this.path = path;
    this.file = file;
  }

  /** Opens {@code path} for writing (created or truncated). */
  static Future<CiphertextSink> open(Vertx vertx, Path path) {
    return vertx.fileSystem().open(path.toString(), new OpenOptions().setWrite(true).setCreate(true)
            .setTruncateExisting(true))
        .map(file -> new CiphertextSink(vertx, path, file));
  }

  Path path() {
    return path;
  }

  /** Bytes written so far. */
  long size() {
    return position;
  }

  /** Appends {@code chunk} and adds it to the digest. */
  Future<Void> write(Buffer chunk) {
    digest.update(chunk.getBytes());
    long at = position;
    position += chunk.length();
    return file.write(chunk, at);
  }

  void mark() {
    markedDigest = cloneOf(digest);
    markedPosition = position;
  }

  void rollback() {
    digest = cloneOf(markedDigest);
    position = markedPosition;
  }

  /**
   * Flushes and closes the file, then compares what was written with what the pointer promises.
   *
   * @return fails with {@link Attachments#DIGEST_MISMATCH} when the size or the SHA-256 differ
   */
  Future<Void> finish(byte[] expectedDigest, long expectedSize) {
    byte[] actual = digest.digest();
    long written = position;
    return file.flush().compose(flushed -> close())
        .compose(closed -> written == expectedSize && MessageDigest.isEqual(actual, expectedDigest)
            ? Future.succeededFuture()
            : Future.failedFuture(new CourierException(Attachments.DIGEST_MISMATCH, 0, "the downloaded ciphertext ("
                + written + " bytes) is not the one the sender uploaded (" + expectedSize + " bytes): its SHA-256 "
                + "differs; nothing was decrypted", false, 0)));
  }

  /** Closes (if still open) and deletes the file. */
  Future<Void> delete() {
    return close().recover(failed -> Future.succeededFuture())
        .compose(closed -> vertx.fileSystem().delete(path.toString()))
        .recover(gone -> Future.succeededFuture());
  }

  private Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    return file.close();
  }

  private static MessageDigest cloneOf(MessageDigest digest) {
    try {
      return (MessageDigest) digest.clone();
    } catch (CloneNotSupportedException impossible) {
      throw new IllegalStateException("the SHA-256 implementation cannot be cloned", impossible);
    }
  }
}
