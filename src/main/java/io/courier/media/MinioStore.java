package io.courier.media;

import io.minio.BucketExistsArgs;
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
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The object store through the MinIO Java SDK: presigned POST forms (size range and content type in the policy)
 * and GET URLs, signed for the public endpoint, and the server's own calls on the internal endpoint. The SDK's
 * {@code CompletableFuture}s enter Vert.x through {@code Future.fromCompletionStage(stage, context)}.
 */
public final class MinioStore implements Presigner, ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(MinioStore.class);
  /** Every attachment is opaque ciphertext. */
  static final String CONTENT_TYPE = "application/octet-stream";

  private final Context context;
  private final MinioAsyncClient client;
  private final MinioClient signer;
  private final String bucket;
  private final String publicEndpoint;
  private final boolean lifecycleRules;

  MinioStore(Context context, S3Clients clients) {
    this.context = context;
    this.client = clients.client;
    this.signer = clients.signer;
    this.bucket = clients.bucket;
    this.publicEndpoint = clients.publicEndpoint;
    this.lifecycleRules = clients.lifecycleRules;
  }

  @Override
  public UploadDescriptor upload(int part, String objectKey, long maxBytes, Duration ttl) {
    PostPolicy policy = new PostPolicy(bucket, ZonedDateTime.now().plus(ttl));
    policy.addEqualsCondition("key", objectKey);
    policy.addEqualsCondition("Content-Type", CONTENT_TYPE);
    policy.addContentLengthRangeCondition(0, maxBytes);
    try {
      Map<String, String> fields = new HashMap<>(signer.getPresignedPostFormData(policy));
      fields.put("key", objectKey);
      fields.put("Content-Type", CONTENT_TYPE);
      return new UploadDescriptor(part, "POST", publicEndpoint + bucket, fields);
    } catch (Exception e) {
      throw new IllegalStateException("cannot sign an upload form", e);
    }
  }

  @Override
  public UploadDescriptor download(int part, String objectKey, Duration ttl) {
    try {
      String url = signer.getPresignedObjectUrl(GetPresignedObjectUrlArgs.builder().method(Method.GET).bucket(bucket)
          .object(objectKey).expiry((int) ttl.toSeconds()).build());
      return new UploadDescriptor(part, "GET", url, Map.of());
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
  public Future<Long> size(String objectKey) {
    return call(() -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(objectKey).build()))
        .map(stat -> stat.size())
        .recover(e -> rootCause(e) instanceof ErrorResponseException missing
            && "NoSuchKey".equals(missing.errorResponse().code())
            ? Future.succeededFuture(-1L) : Future.failedFuture(e));
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
