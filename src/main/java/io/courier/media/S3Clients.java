package io.courier.media;

import io.courier.config.CourierConfig.MediaConfig;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.vertx.core.Context;

/**
 * The object store's SDK clients, built once per server and shared by every event loop. The SDK's clients are
 * thread-safe (minio-java#975), and building one is slow: it reads the CA bundle named by {@code SSL_CERT_FILE}
 * a byte at a time. Built twice per event loop as each started (with a bcrypt then in PasswordHasher), that held
 * the event loops for 1.5–2.4 s at start.
 */
public final class S3Clients {
  final MinioAsyncClient client;
  /** Signs presigned requests for the public endpoint; with the region given, signing makes no network call. */
  final MinioClient signer;
  final String bucket;
  final String publicEndpoint;
  final boolean lifecycleRules;
  /** Uploads are presigned PUTs, not POST forms ({@code media.uploads}). */
  final boolean presignedPuts;

  S3Clients(S3Access access, MediaConfig media) {
    this.client = MinioAsyncClient.builder().endpoint(access.endpoint()).region(media.region())
        .credentials(access.accessKey(), access.secretKey()).build();
    this.signer = MinioClient.builder().endpoint(access.publicEndpoint()).region(media.region())
        .credentials(access.accessKey(), access.secretKey()).build();
    this.bucket = media.bucket();
    this.publicEndpoint = access.publicEndpoint().endsWith("/") ? access.publicEndpoint()
        : access.publicEndpoint() + "/";
    this.lifecycleRules = access.lifecycleRules();
    this.presignedPuts = media.presignedPuts();
  }

  /** The store as seen from {@code context}: its calls complete there. */
  public MinioStore on(Context context) {
    return new MinioStore(context, this);
  }
}
