package io.courier.media;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.Directive;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.PostPolicy;
import io.minio.RemoveObjectsArgs;
import io.minio.SetBucketLifecycleArgs;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.http.Method;
import io.minio.messages.DeleteObject;
import io.minio.messages.Expiration;
import io.minio.messages.LifecycleConfiguration;
import io.minio.messages.LifecycleRule;
import io.minio.messages.RuleFilter;
import io.minio.messages.Status;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object store through the MinIO Java SDK: presigned uploads (PUT URLs, or POST forms with the size range and
 * content type in their policy, as {@code media.uploads} says) and GET URLs, signed for the public endpoint, and the
 * server's own calls on the internal endpoint. The SDK's {@code CompletableFuture}s enter Vert.x through
 * {@code Future.fromCompletionStage(stage, context)}.
 *
 * @implNote A presigned PUT signs the method, the bucket and object key, the expiry and the {@code host} header;
 *     S3Proxy checks all of them, so the request writes that one key until it expires. It does not sign the size
 *     or the content type: the size is capped by the store ({@code maxSinglePartObjectSize} in {@link EmbeddedS3})
 *     and both are checked when the attachment is completed ({@link Completion}).
 */
public final class MinioStore implements Presigner, ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(MinioStore.class);
  /** Every attachment is opaque ciphertext. */
  static final String CONTENT_TYPE = "application/octet-stream";
  /** Headers a client sends with a presigned PUT. */
  private static final Map<String, String> PUT_HEADERS = Map.of("Content-Type", CONTENT_TYPE);
  /**
   * Query parameters of every presigned GET: the store answers with this content type whatever the object says, so
   * no download is ever served as a page (S3 and S3Proxy honour {@code response-content-type} on signed requests).
   */
  private static final Map<String, String> DOWNLOAD_PARAMS = Map.of("response-content-type", CONTENT_TYPE);

  private final Context context;
  private final MinioAsyncClient client;
  private final MinioClient signer;
  private final String bucket;
  private final String publicEndpoint;
  private final boolean lifecycleRules;
  private final boolean presignedPuts;

  MinioStore(Context context, S3Clients clients) {
    this.context = context;
    this.client = clients.client;
    this.signer = clients.signer;
    this.bucket = clients.bucket;
    this.publicEndpoint = clients.publicEndpoint;
    this.lifecycleRules = clients.lifecycleRules;
    this.presignedPuts = clients.presignedPuts;
  }

  @Override
  public UploadDescriptor upload(int part, String objectKey, long maxBytes, Duration ttl) {
    return presignedPuts ? put(part, objectKey, ttl) : post(part, objectKey, maxBytes, ttl);
  }

  private UploadDescriptor put(int part, String objectKey, Duration ttl) {
    try {
      String url = signer.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.PUT).bucket(bucket)
          .object(objectKey).expiry((int) ttl.toSeconds()).build());
      return new UploadDescriptor(part, "PUT", url, Map.of(), PUT_HEADERS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign an upload", e);
    }
  }

  private UploadDescriptor post(int part, String objectKey, long maxBytes, Duration ttl) {
    PostPolicy policy = new PostPolicy(bucket, ZonedDateTime.now().plus(ttl));
    policy.addEqualsCondition("key", objectKey);
    policy.addEqualsCondition("Content-Type", CONTENT_TYPE);
    policy.addContentLengthRangeCondition(0, maxBytes);
    try {
      Map<String, String> fields = new HashMap<>(signer.getPresignedPostFormData(policy));
      fields.put("key", objectKey);
      fields.put("Content-Type", CONTENT_TYPE);
      return new UploadDescriptor(part, "POST", publicEndpoint + bucket, fields, Map.of());
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign an upload form", e);
    }
  }

  @Override
  public UploadDescriptor download(int part, String objectKey, Duration ttl) {
    try {
      String url = signer.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET).bucket(bucket)
          .object(objectKey).expiry((int) ttl.toSeconds()).extraQueryParams(DOWNLOAD_PARAMS).build());
      return new UploadDescriptor(part, "GET", url, Map.of(), Map.of());
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign a download", e);
    }
  }

  @Override
  public Future<Void> prepareBucket(int retentionDays) {
    return call(() -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))
        .compose(exists -> exists ? Future.succeededFuture()
            : call(() -> client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build())).<Void>mapEmpty()
                // another node starting at the same moment may have made it in between
                .recover(e -> call(() -> client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build()))
                    .compose(made -> made ? Future.succeededFuture() : Future.failedFuture(e))))
        .compose(v -> lifecycleRules ? expireAfter(retentionDays) : Future.succeededFuture());
  }

  /** A store without lifecycle rules (S3Proxy) still works: the Redis record's expiry refuses old downloads. */
  private Future<Void> expireAfter(int days) {
    LifecycleRule rule = new LifecycleRule(Status.ENABLED, null, new Expiration((ZonedDateTime) null, days, null),
        new RuleFilter(""), "expire-attachments", null, null, null);
    return call(() -> client.setBucketLifecycle(SetBucketLifecycleArgs.builder().bucket(bucket)
            .config(new LifecycleConfiguration(List.of(rule))).build()))
        .<Void>mapEmpty()
        .recover(e -> {
          Throwable cause = rootCause(e);
          String code = cause instanceof ErrorResponseException r ? r.errorResponse().code() : cause.toString();
          log.atWarn().addKeyValue("bucket", bucket).addKeyValue("error", code)
              .log("the store does not take a lifecycle rule; attachments expire by their record only");
          return Future.succeededFuture();
        });
  }

  @Override
  public Future<Optional<StoredObject>> find(String objectKey) {
    return call(() -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(objectKey).build()))
        .map(stat -> Optional.of(new StoredObject(stat.size(), stat.contentType())))
        .recover(e -> isNoSuchKey(e) ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
  }

  @Override
  public Future<Void> copy(String source, String target) {
    return call(() -> client.copyObject(CopyObjectArgs.builder().bucket(bucket).object(target)
            .source(CopySource.builder().bucket(bucket).object(source).build())
            .metadataDirective(Directive.REPLACE).headers(PUT_HEADERS).build()))
        .<Void>mapEmpty()
        .recover(e -> Future.failedFuture(isNoSuchKey(e) ? new MissingObjectException(source) : e));
  }

  private static boolean isNoSuchKey(Throwable e) {
    return rootCause(e) instanceof ErrorResponseException missing
        && "NoSuchKey".equals(missing.errorResponse().code());
  }

  @Override
  public Future<Void> delete(List<String> objectKeys) {
    List<DeleteObject> objects = objectKeys.stream().map(DeleteObject::new).toList();
    return context.<Void>executeBlocking(() -> {
      // removeObjects is lazy: the deletion happens while its results are read.
      for (var result : client.removeObjects(RemoveObjectsArgs.builder().bucket(bucket).objects(objects).build())) {
        result.get();
      }
      return null;
    });
  }

  /** One SDK call, its future brought back to our context; a call that throws fails the future. */
  private <T> Future<T> call(SdkCall<T> call) {
    try {
      return Future.fromCompletionStage(call.start(), context);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  @FunctionalInterface
  private interface SdkCall<T> {
    java.util.concurrent.CompletableFuture<T> start() throws Exception;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
