package io.courier.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.CrossOriginResourceSharing;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S3 store started when no {@code media.endpoint} is configured: S3Proxy in this process on a local folder,
 * bound to loopback, checking SigV4 signatures with credentials made at each start (only this server knows them;
 * clients use presigned requests). Its CORS rules are explicit: only {@code server.allowedOrigins}.
 *
 * @implNote S3Proxy checks a POST form's signature but ignores its policy's conditions (key, size range, content
 *     type, expiry), so this store is only given presigned PUTs ({@code media.uploads}): their SigV4 signature
 *     covers the method, the key and the expiry, which S3Proxy verifies. A PUT's size is capped here by
 *     {@code maxSinglePartObjectSize} (the part size; it applies to PUTs only), and the exact size and the content
 *     type, which no signature covers, are checked when the attachment is completed ({@link Completion}). It has
 *     no lifecycle rules either: expired attachments are refused by their Redis record, and their files stay until
 *     deleted by hand.
 */
public final class EmbeddedS3 implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedS3.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Headers a browser may send with a presigned request. */
  private static final List<String> CORS_HEADERS = List.of("Content-Type", "Content-Length");

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final String endpoint;
  private final String accessKey;
  private final String secretKey;

  private EmbeddedS3(S3Proxy proxy, BlobStoreContext context, String endpoint, String accessKey, String secretKey) {
    this.proxy = proxy;
    this.context = context;
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /** Starts the store with its files under {@code dir}; parts above {@code maxPartBytes} are refused. */
  public static EmbeddedS3 start(Path dir, long maxPartBytes, List<String> allowedOrigins) throws Exception {
    Files.createDirectories(dir);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", dir.toAbsolutePath().toString());
    BlobStoreContext context = ContextBuilder.newBuilder("filesystem").overrides(properties)
        .buildView(BlobStoreContext.class);
    String endpoint = "http://127.0.0.1:" + freePort();
    String accessKey = randomHex(10);
    String secretKey = randomHex(20);
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create(endpoint))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
        .maxSinglePartObjectSize(maxPartBytes)
        .corsRules(new CrossOriginResourceSharing(allowedOrigins, List.of("GET", "HEAD", "POST", "PUT"),
            CORS_HEADERS, List.of("ETag"), "false"))
        .build();
    proxy.start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("the embedded S3 store did not start: " + proxy.getState());
      }
      Thread.onSpinWait();
    }
    log.atInfo().addKeyValue("endpoint", endpoint).addKeyValue("dir", dir.toAbsolutePath())
        .log("embedded S3 store started");
    return new EmbeddedS3(proxy, context, endpoint, accessKey, secretKey);
  }

  public String endpoint() {
    return endpoint;
  }

  public String accessKey() {
    return accessKey;
  }

  public String secretKey() {
    return secretKey;
  }

  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      log.warn("embedded S3 store did not stop cleanly", e);
    }
    context.close();
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
