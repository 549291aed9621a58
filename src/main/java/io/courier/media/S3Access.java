package io.courier.media;

import io.courier.config.CourierConfig.MediaConfig;
import io.courier.config.Secrets;
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

  /** The store's clients; build them once per server and share them (see {@link S3Clients}). */
  public S3Clients clients(MediaConfig media) {
    return new S3Clients(this, media);
  }
}
