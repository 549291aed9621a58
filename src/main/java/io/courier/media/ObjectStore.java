package io.courier.media;

import io.vertx.core.Future;
import java.util.List;

/** What the server itself does in the object store: set up the bucket, look at parts, delete them. */
public interface ObjectStore {

  /** Creates the bucket if needed and asks the store to expire objects after {@code retentionDays}. */
  Future<Void> prepareBucket(int retentionDays);

  /** The size of {@code objectKey}, or -1 when it does not exist. */
  Future<Long> size(String objectKey);

  /** Deletes the objects (missing ones are fine). */
  Future<Void> delete(List<String> objectKeys);
}
