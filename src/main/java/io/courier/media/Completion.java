package io.courier.media;

import io.courier.media.ObjectStore.MissingObjectException;
import io.courier.media.ObjectStore.StoredObject;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Completing an attachment (docs/PROTOCOL.md §1 "Attachments"), in steps:
 * <ol>
 *   <li>every uploaded part ({@code up/<id>/<part>}) is there, stored as {@code application/octet-stream}, with its
 *       exact size; a part of the wrong type or size refuses the attachment, and its uploads are deleted;</li>
 *   <li>each part is copied inside the store to {@code <id>/<version>/<part>}, for a new random version, as opaque
 *       bytes with no other metadata;</li>
 *   <li>the copies are checked the same way: they are what downloads will read, and no upload request can write
 *       them, so what is checked here is what is served (an upload that changed between steps 1 and 2 is caught
 *       here);</li>
 *   <li>{@code media_complete.lua} claims the version for the attachment unless another completion claimed one
 *       first, whose copies then stay and ours are deleted;</li>
 *   <li>the uploads are deleted (best effort: a later {@code complete} deletes them again).</li>
 * </ol>
 *
 * @implNote The upload requests work until they expire, so the owner (or whoever holds them) may still write
 *     {@code up/<id>/<part>} after completion; nothing reads those keys any more. A failure of the claim itself
 *     (Redis) keeps the copies, since the claim may have been applied: they are left to the bucket's expiry.
 */
final class Completion {
  private final ObjectStore store;
  private final CompleteScript script;

  Completion(Redis redis, ObjectStore store) {
    this.store = store;
    this.script = new CompleteScript(redis);
  }

  /** Checks, copies and claims; succeeds once the attachment is complete (by this call or another). */
  Future<Void> run(String id, PartLayout layout, String version) {
    List<String> uploads = AttachmentObjectKeys.uploads(id, layout);
    List<String> copies = AttachmentObjectKeys.stored(id, version, layout);
    return inspect(uploads, layout)
        .compose(v -> copyAll(uploads, copies))
        .compose(v -> inspect(copies, layout))
        .recover(e -> discard(e, uploads, copies))
        .compose(v -> script.run(id, version).recover(StoreFailures::unavailable))
        .compose(claimed -> claimed == null ? Future.failedFuture(AttachmentService.unknown())
            : claimed.equals(version) ? Future.succeededFuture() : deleteQuietly(copies))
        .compose(v -> deleteQuietly(uploads));
  }

  /** Deletes upload objects left after a completion (they are never read again). */
  Future<Void> cleanUp(String id, PartLayout layout) {
    return deleteQuietly(AttachmentObjectKeys.uploads(id, layout));
  }

  private Future<Void> inspect(List<String> keys, PartLayout layout) {
    List<Future<Optional<StoredObject>>> found = keys.stream().map(store::find).toList();
    return Future.all(found)
        .recover(e -> Future.failedFuture(storeDown()))
        .compose(all -> verdict(found.stream().map(Future::result).toList(), layout));
  }

  /** Refuses a wrong type first, then a wrong size (both for good), then missing parts (upload them). */
  private static Future<Void> verdict(List<Optional<StoredObject>> objects, PartLayout layout) {
    List<Integer> missing = new ArrayList<>();
    boolean wrongSize = false;
    for (int part = 1; part <= objects.size(); part++) {
      Optional<StoredObject> object = objects.get(part - 1);
      if (object.isEmpty()) {
        missing.add(part);
      } else if (!MinioStore.CONTENT_TYPE.equals(object.get().contentType())) {
        return Future.failedFuture(new ProtocolException(ErrorCode.ATTACHMENT_WRONG_TYPE, "part " + part
            + " is not stored as " + MinioStore.CONTENT_TYPE + "; the parts were deleted"));
      } else if (object.get().size() != layout.size(part)) {
        wrongSize = true;
      }
    }
    if (wrongSize) {
      return Future.failedFuture(new ProtocolException(ErrorCode.ATTACHMENT_TOO_LARGE,
          "a part has the wrong size; the parts were deleted"));
    }
    return missing.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new ProtocolException(
        ErrorCode.ATTACHMENT_INCOMPLETE, "parts " + missing + " are not stored yet"));
  }

  private Future<Void> copyAll(List<String> sources, List<String> targets) {
    List<Future<Void>> copies = new ArrayList<>(sources.size());
    for (int i = 0; i < sources.size(); i++) {
      copies.add(store.copy(sources.get(i), targets.get(i)));
    }
    return Future.all(copies)
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(e instanceof MissingObjectException
            ? new ProtocolException(ErrorCode.ATTACHMENT_INCOMPLETE, "a part was removed while completing")
            : storeDown()));
  }

  /** Deletes this completion's copies, and the uploads too when their content refused the attachment. */
  private Future<Void> discard(Throwable cause, List<String> uploads, List<String> copies) {
    boolean refused = cause instanceof ProtocolException p && (p.code() == ErrorCode.ATTACHMENT_WRONG_TYPE
        || p.code() == ErrorCode.ATTACHMENT_TOO_LARGE);
    List<String> doomed = new ArrayList<>(copies);
    if (refused) {
      doomed.addAll(uploads);
    }
    return deleteQuietly(doomed).compose(v -> Future.failedFuture(cause));
  }

  private Future<Void> deleteQuietly(List<String> keys) {
    return store.delete(keys).recover(e -> Future.succeededFuture());
  }

  private static ProtocolException storeDown() {
    return new ProtocolException(ErrorCode.UNAVAILABLE, "the object store did not answer; retry");
  }
}
