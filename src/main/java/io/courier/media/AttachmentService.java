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
 * Attachments: ids, presigned part uploads and downloads, and completion (docs/PROTOCOL.md §1 "Attachments"). The
 * bytes go between clients and the object store; the server keeps one record per attachment: {@code att:{a:<id>}},
 * a hash of {@code owner} (account), {@code size}, {@code created}, {@code complete} (0/1) and, once complete,
 * {@code version}, expiring after {@code media.retention}. Object keys are in {@link AttachmentObjectKeys}.
 *
 * @implNote The store enforces what an upload request was signed for: the key, the method and the expiry (a
 *     presigned PUT, which S3Proxy checks), or the whole policy of a POST form (MinIO, S3). What a signature does
 *     not cover is checked by {@link Completion} before anyone can download: each part's exact size and its content
 *     type. Downloads read the copies completion made, which no upload request can write, so a completed
 *     attachment never changes.
 */
public final class AttachmentService {
  /** 128 random bits, base64url without padding. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{22}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final Presigner presigner;
  private final Completion completion;
  private final MediaConfig config;

  public AttachmentService(Redis redis, Presigner presigner, ObjectStore store, MediaConfig config) {
    this.redis = redis;
    this.presigner = presigner;
    this.completion = new Completion(redis, store);
    this.config = config;
  }

  /**
   * What a client gets for an attachment: its id and size, the part size, how long the requests work, and one
   * presigned request per part.
   */
  public record Descriptor(String id, long size, long partSize, long expiresIn, List<UploadDescriptor> parts) {}

  /** A new attachment of {@code size} ciphertext bytes owned by {@code owner}, with its upload requests. */
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

  /** Fresh upload requests for an attachment that {@code owner} has not completed yet (resuming). */
  public Future<Descriptor> uploadAgain(String owner, String id) {
    return record(id)
        .map(record -> {
          if (!owner.equals(record.owner()) || record.complete()) {
            throw unknown();
          }
          return uploads(id, record.size());
        });
  }

  /**
   * Checks every part and makes the attachment downloadable, once: repeating it after success answers the same and
   * changes nothing (it only deletes upload objects left behind).
   */
  public Future<Void> complete(String owner, String id) {
    return record(id)
        .compose(record -> {
          if (!owner.equals(record.owner())) {
            return Future.failedFuture(unknown());
          }
          PartLayout layout = layout(record.size());
          return record.complete() ? completion.cleanUp(id, layout) : completion.run(id, layout, newId());
        })
        .recover(e -> completedMeanwhile(owner, id, e));
  }

  /** A completion that failed because another one won the race (it deleted the uploads) answers as that one did. */
  private Future<Void> completedMeanwhile(String owner, String id, Throwable failure) {
    if (failure instanceof ProtocolException p && p.code() == ErrorCode.UNKNOWN_ATTACHMENT) {
      return Future.failedFuture(failure);
    }
    return record(id)
        .compose(record -> owner.equals(record.owner()) && record.complete() ? Future.<Void>succeededFuture()
            : Future.<Void>failedFuture(failure), unreadable -> Future.failedFuture(failure));
  }

  /** Presigned downloads of a completed attachment, for any authenticated account. */
  public Future<Descriptor> download(String id) {
    return record(id)
        .map(record -> {
          if (!record.complete()) {
            throw unknown();
          }
          List<UploadDescriptor> parts = new ArrayList<>();
          for (int part = 1; part <= layout(record.size()).count(); part++) {
            parts.add(presigner.download(part, AttachmentObjectKeys.stored(id, record.version(), part),
                config.urlTtl()));
          }
          return new Descriptor(id, record.size(), config.partSize(), config.urlTtl().toSeconds(), parts);
        });
  }

  private Descriptor uploads(String id, long size) {
    PartLayout layout = layout(size);
    List<UploadDescriptor> parts = new ArrayList<>();
    for (int part = 1; part <= layout.count(); part++) {
      parts.add(presigner.upload(part, AttachmentObjectKeys.upload(id, part), layout.size(part), config.urlTtl()));
    }
    return new Descriptor(id, size, config.partSize(), config.urlTtl().toSeconds(), parts);
  }

  /**
   * An attachment's record; {@code version} is null until completion (and for attachments completed before
   * versions existed, whose {@code complete} is 1).
   */
  private record Record(String owner, long size, boolean complete, String version) {}

  private Future<Record> record(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      return Future.failedFuture(unknown());
    }
    return redis.send(Request.cmd(Command.HMGET).arg(key(id)).arg("owner").arg("size").arg("complete")
            .arg("version"))
        .recover(StoreFailures::unavailable)
        .map(AttachmentService::toRecord);
  }

  private static Record toRecord(Response fields) {
    if (fields == null || fields.get(0) == null) {
      throw unknown();
    }
    String version = fields.get(3) == null ? null : fields.get(3).toString();
    return new Record(fields.get(0).toString(), fields.get(1).toLong(),
        version != null || (fields.get(2) != null && "1".equals(fields.get(2).toString())), version);
  }

  private PartLayout layout(long size) {
    return new PartLayout(size, config.partSize());
  }

  static String key(String id) {
    return "att:{a:" + id + "}";
  }

  private static String newId() {
    byte[] bits = new byte[16];
    RANDOM.nextBytes(bits);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
  }

  static ProtocolException unknown() {
    return new ProtocolException(ErrorCode.UNKNOWN_ATTACHMENT, "no such attachment");
  }
}
