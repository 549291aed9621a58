package io.courier.media;

import io.courier.config.CourierConfig.MediaConfig;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Attachments: ids, presigned part uploads and downloads, and the completion check (docs/PROTOCOL.md §1
 * "Attachments"). The bytes go between clients and the object store; the server keeps one record per attachment:
 * {@code att:{a:<id>}}, a hash of {@code owner} (account), {@code size}, {@code complete} (0/1) and
 * {@code created}, expiring after {@code media.retention}. Object keys are {@code <id>/<part>}.
 *
 * @implNote Sizes are enforced twice, since not every store honours the first: the POST policy's content-length
 * range (MinIO, S3; S3Proxy ignores it), and {@link #complete}, which checks every part's exact size before anyone
 * can download it and deletes the parts of a refused attachment.
 */
public final class AttachmentService {
  /** 128 random bits, base64url without padding. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final Presigner presigner;
  private final ObjectStore store;
  private final MediaConfig config;

  public AttachmentService(Redis redis, Presigner presigner, ObjectStore store, MediaConfig config) {
    this.redis = redis;
    this.presigner = presigner;
    this.store = store;
    this.config = config;
  }

  /**
   * What a client gets for an attachment: its id and size, the part size, how long the requests work, and one
   * presigned request per part.
   */
  public record Descriptor(String id, long size, long partSize, long expiresIn, List<UploadDescriptor> parts) {}

  /** A new attachment of {@code size} ciphertext bytes owned by {@code owner}, with its upload forms. */
  public Future<Descriptor> create(String owner, long size) {
    if (size <= 0) {
      return Future.failedFuture(new ProtocolException(ErrorCode.INVALID_FIELD, "'size' must be positive"));
    }
    if (size > config.maxSize()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.ATTACHMENT_TOO_LARGE, "attachments are at most "
          + config.maxSize() + " bytes"));
    }
    String id = newId();
    return redis.send(Request.cmd(Command.HSET).arg(key(id)).arg("owner").arg(owner).arg("size").arg(size)
            .arg("complete").arg(0).arg("created").arg(System.currentTimeMillis()))
        .compose(v -> redis.send(Request.cmd(Command.PEXPIRE).arg(key(id)).arg(config.retention().toMillis())))
        .recover(StoreFailures::unavailable)
        .map(v -> uploads(id, size));
  }

  /** Fresh upload forms for an attachment that {@code owner} has not completed yet (resuming). */
  public Future<Descriptor> uploadAgain(String owner, String id) {
    return record(id)
        .map(record -> {
          if (!owner.equals(record.owner()) || record.complete()) {
            throw unknown();
          }
          return uploads(id, record.size());
        });
  }

  /** Checks that every part is stored with its exact size, then makes the attachment downloadable. */
  public Future<Void> complete(String owner, String id) {
    return record(id)
        .compose(record -> {
          if (!owner.equals(record.owner())) {
            return Future.failedFuture(unknown());
          }
          return record.complete() ? Future.succeededFuture() : checkParts(id, record.size());
        })
        .compose(v -> redis.send(Request.cmd(Command.HSET).arg(key(id)).arg("complete").arg(1))
            .recover(StoreFailures::unavailable))
        .mapEmpty();
  }

  /** Presigned downloads of a completed attachment, for any authenticated account. */
  public Future<Descriptor> download(String id) {
    return record(id)
        .map(record -> {
          if (!record.complete()) {
            throw unknown();
          }
          List<UploadDescriptor> parts = new ArrayList<>();
          for (int part = 1; part <= partCount(record.size()); part++) {
            parts.add(presigner.download(part, objectKey(id, part), config.urlTtl()));
          }
          return new Descriptor(id, record.size(), config.partSize(), config.urlTtl().toSeconds(), parts);
        });
  }

  private Future<Void> checkParts(String id, long size) {
    int count = partCount(size);
    List<Future<Long>> sizes = new ArrayList<>(count);
    for (int part = 1; part <= count; part++) {
      sizes.add(store.size(objectKey(id, part)));
    }
    return Future.all(sizes)
        .recover(e -> Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "the object store did not "
            + "answer; retry")))
        .compose(all -> {
          List<Integer> missing = new ArrayList<>();
          boolean wrongSize = false;
          for (int part = 1; part <= count; part++) {
            long stored = sizes.get(part - 1).result();
            if (stored < 0) {
              missing.add(part);
            } else if (stored != expectedSize(size, part)) {
              wrongSize = true;
            }
          }
          if (wrongSize) {
            return deleteParts(id, count).compose(v -> Future.failedFuture(new ProtocolException(
                ErrorCode.ATTACHMENT_TOO_LARGE, "a part has the wrong size; the parts were deleted")));
          }
          return missing.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new ProtocolException(
              ErrorCode.ATTACHMENT_INCOMPLETE, "parts " + missing + " are not stored yet"));
        });
  }

  private Future<Void> deleteParts(String id, int count) {
    List<String> keys = new ArrayList<>(count);
    for (int part = 1; part <= count; part++) {
      keys.add(objectKey(id, part));
    }
    return store.delete(keys).recover(e -> Future.succeededFuture());
  }

  private Descriptor uploads(String id, long size) {
    List<UploadDescriptor> parts = new ArrayList<>();
    for (int part = 1; part <= partCount(size); part++) {
      parts.add(presigner.upload(part, objectKey(id, part), expectedSize(size, part), config.urlTtl()));
    }
    return new Descriptor(id, size, config.partSize(), config.urlTtl().toSeconds(), parts);
  }

  private record Record(String owner, long size, boolean complete) {}

  private Future<Record> record(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Future.failedFuture(unknown());
    }
    return redis.send(Request.cmd(Command.HMGET).arg(key(id)).arg("owner").arg("size").arg("complete"))
        .recover(StoreFailures::unavailable)
        .map(AttachmentService::toRecord);
  }

  private static Record toRecord(Response fields) {
    if (fields == null || fields.get(0) == null) {
      throw unknown();
    }
    return new Record(fields.get(0).toString(), fields.get(1).toLong(), "1".equals(fields.get(2).toString()));
  }

  private int partCount(long size) {
    return (int) ((size + config.partSize() - 1) / config.partSize());
  }

  private long expectedSize(long size, int part) {
    return Math.min(config.partSize(), size - (part - 1) * config.partSize());
  }

  static String objectKey(String id, int part) {
    return id + "/" + part;
  }

  private static String key(String id) {
    return "att:{a:" + id + "}";
  }

  private static String newId() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  private static ProtocolException unknown() {
    return new ProtocolException(ErrorCode.UNKNOWN_ATTACHMENT, "no such attachment");
  }
}
