package io.courier.media;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/** What the server itself does in the object store: set up the bucket, look at objects, copy and delete them. */
public interface ObjectStore {

  /** What the store says of one object: its size in bytes and its content type. */
  record StoredObject(long size, String contentType) {}

  /** Creates the bucket if needed and asks the store to expire objects after {@code retentionDays}. */
  Future<Void> prepareBucket(int retentionDays);

  /** The object at {@code objectKey}, or empty when there is none. */
  Future<Optional<StoredObject>> find(String objectKey);

  /**
   * Copies {@code source} to {@code target} inside the store, the copy stored as opaque bytes
   * ({@code application/octet-stream}) with no other metadata, whatever the source declared. Fails with
   * {@link MissingObjectException} when there is no {@code source}.
   */
  Future<Void> copy(String source, String target);

  /** Deletes the objects (missing ones are fine). */
  Future<Void> delete(List<String> objectKeys);

  /** The object a copy was asked for is not there. */
  final class MissingObjectException extends RuntimeException {
    public MissingObjectException(String objectKey) {
      super("no object " + objectKey, null, false, false);
    }
  }
}
