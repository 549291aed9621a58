package io.courier.media;

import io.courier.config.CourierConfig.MediaConfig;
import io.courier.config.Secrets;
import io.vertx.core.Context;
import java.util.Map;

/**
 * Where and how the server reaches the object store, resolved once at start: the configured store (credentials
 * from their secret references) or the embedded one.
 *
 * @param endpoint       the endpoint the server calls
 * @param publicEndpoint the endpoint presigned requests are signed for
 * @param accessKey      the access key
 * @param secretKey      the secret key
 * @param lifecycleRules whether the store takes a bucket lifecycle rule (S3Proxy does not)
 */
public record S3Access(String endpoint, String publicEndpoint, String accessKey, String secretKey,
    boolean lifecycleRules) {

  public static S3Access configured(MediaConfig media, Map<String, String> environment) {
    String publicEndpoint = media.publicEndpoint() == null || media.publicEndpoint().isBlank()
        ? media.endpoint() : media.publicEndpoint();
    return new S3Access(media.endpoint(), publicEndpoint, Secrets.resolve(media.accessKey(), environment).trim(),
        Secrets.resolve(media.secretKey(), environment).trim(), true);
  }

  public static S3Access embedded(EmbeddedS3 store) {
    return new S3Access(store.endpoint(), store.endpoint(), store.accessKey(), store.secretKey(), false);
  }

  /** A client of the store bound to {@code context}. */
  public MinioStore store(Context context, MediaConfig media) {
    return new MinioStore(context, endpoint, publicEndpoint, media.region(), media.bucket(), accessKey, secretKey,
        lifecycleRules);
  }
}
