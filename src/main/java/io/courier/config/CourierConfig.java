package io.courier.config;

import java.time.Duration;
import java.util.List;

/**
 * The whole server configuration: an immutable record tree loaded by {@link ConfigLoader} from YAML laid
 * over {@link #defaults()}, and checked by {@link ConfigValidator} before anything starts.
 *
 * @param server     the HTTP/WebSocket listener
 * @param redis      the store; an empty URL starts an embedded Redis
 * @param auth       token issuing and verification
 * @param mailbox    per-device queues
 * @param devices    devices per account and linking
 * @param media      attachments in object storage; an empty endpoint starts an embedded S3 store
 * @param cluster    clustering with other nodes (Hazelcast); off by default
 * @param limits     per-frame, per-account and per-connection limits (see docs/PROTOCOL.md §7)
 * @param connection WebSocket liveness
 * @param push       wake-ups for devices whose app is not connected; off by default
 * @param dataDir    folder for embedded Redis data and generated development keys
 */
public record CourierConfig(
    ServerConfig server,
    RedisConfig redis,
    AuthConfig auth,
    MailboxConfig mailbox,
    DevicesConfig devices,
    MediaConfig media,
    ClusterConfig cluster,
    LimitsConfig limits,
    ConnectionConfig connection,
    PushConfig push,
    String dataDir) {

  /** Every default, in one place. The embedded mode runs on these alone. */
  public static CourierConfig defaults() {
    return new CourierConfig(
        new ServerConfig("127.0.0.1", 8080, 0, List.of(), Duration.ofSeconds(30), Duration.ofSeconds(10), List.of()),
        new RedisConfig("", false, 8, "everysec"),
        new AuthConfig("courier", "courier-clients", Duration.ofMinutes(15), Duration.ofDays(30),
            Duration.ofSeconds(5), "", "", 12, null),
        new MailboxConfig(Duration.ofDays(30), 10_000, Duration.ofHours(48), 100),
        new DevicesConfig(5, Duration.ofMinutes(5)),
        new MediaConfig("", "", "us-east-1", "courier-attachments", "", "", 100L * 1024 * 1024, 8L * 1024 * 1024,
            Duration.ofMinutes(5), Duration.ofDays(30), "auto"),
        new ClusterConfig(false, "courier", "127.0.0.1", 5701, List.of(), ""),
        new LimitsConfig(262_144, 65_536, 16, 100, 50, 100, 10, 1_000, 30, 100, 30, 30, 5, 10, 5, 10),
        new ConnectionConfig(Duration.ofSeconds(20), Duration.ofSeconds(60)),
        PushConfig.defaults(),
        "data");
  }

  /**
   * @param host           address to bind; {@code 0.0.0.0} for all interfaces
   * @param port           TCP port; 0 picks a free one (printed at start)
   * @param instances      gateway verticle instances; 0 means one per event loop
   * @param allowedOrigins browser origins allowed to open a WebSocket (exact match, e.g.
   *                       {@code https://chat.example.com}); requests without an Origin header (native apps) are
   *                       always allowed; empty allows no browser origin
   * @param idleTimeout    how long a kept-alive HTTP connection may wait for its next request head (from the end
   *                       of the last response until the head is complete), and how long a request body may go
   *                       without a byte; then the server closes the connection. Not for WebSockets: an upgraded
   *                       connection follows {@code connection.*} instead
   * @param requestHeaderTimeout how long a new connection has to send its first complete request head
   * @param trustedProxies load balancers (IP addresses or CIDR blocks, e.g. {@code 10.0.0.5} or
   *                       {@code 172.28.0.0/24}) whose {@code X-Forwarded-For} names the client; the limits per
   *                       client address count the connecting address otherwise. Empty: no proxy is believed
   */
  public record ServerConfig(String host, int port, int instances, List<String> allowedOrigins,
      Duration idleTimeout, Duration requestHeaderTimeout, List<String> trustedProxies) {
    /** The same settings on another port. */
    public ServerConfig withPort(int newPort) {
      return new ServerConfig(host, newPort, instances, allowedOrigins, idleTimeout, requestHeaderTimeout,
          trustedProxies);
    }
  }

  /**
   * @param url               {@code redis://host:port} (or {@code rediss://}); for a Redis Cluster one or more nodes,
   *                          comma-separated; empty starts an embedded Redis with AOF on in {@code dataDir/redis}
   * @param cluster           {@code url} names a Redis Cluster
   * @param poolSize          connections per gateway instance
   * @param embeddedFsync     {@code appendfsync} of the embedded Redis: {@code always}, {@code everysec} or {@code no}
   */
  public record RedisConfig(String url, boolean cluster, int poolSize, String embeddedFsync) {
    /** Whether no Redis is configured, so the server starts its own. */
    public boolean embedded() {
      return url == null || url.isBlank();
    }
  }

  /**
   * @param issuer          {@code iss} of the tokens this server issues and accepts
   * @param audience        {@code aud} of the tokens this server issues and accepts
   * @param accessTokenTtl  lifetime of an access token
   * @param refreshTokenTtl lifetime of a refresh token (rotated on each use)
   * @param leeway          clock skew tolerated when checking {@code exp} and {@code iat}
   * @param privateKeyPem   reference ({@code file:PATH} or {@code env:NAME}) to the PKCS#8 PEM ES256 signing key;
   *                        empty (with {@code publicKeyPem} empty) generates development keys in {@code dataDir/keys}
   * @param publicKeyPem    reference to the matching X.509 PEM public key
   * @param bcryptCost      bcrypt cost factor for passwords (each +1 doubles the work)
   * @param external        an external identity provider whose tokens are also accepted; null for none
   */
  public record AuthConfig(
      String issuer,
      String audience,
      Duration accessTokenTtl,
      Duration refreshTokenTtl,
      Duration leeway,
      String privateKeyPem,
      String publicKeyPem,
      int bcryptCost,
      ExternalIssuerConfig external) {}

  /**
   * @param issuer       required {@code iss}
   * @param audience     required {@code aud}
   * @param algorithms   accepted JWS algorithms, e.g. {@code [RS256]}; {@code none} and HMAC are refused
   * @param publicKeyPem reference ({@code file:} or {@code env:}) to a PEM public key; or use {@code jwksUrl}
   * @param jwksUrl      URL of the provider's JWKS, fetched at start and every 10 minutes
   * @param deviceClaim  claim holding the device number; tokens without it are device 1
   */
  public record ExternalIssuerConfig(
      String issuer,
      String audience,
      List<String> algorithms,
      String publicKeyPem,
      String jwksUrl,
      String deviceClaim) {}

  /**
   * @param retention   how long an unacked entry is kept (then dropped: the sender keeps its single tick)
   * @param maxLength   most entries one device's mailbox holds; further sends get {@code MAILBOX_FULL}
   * @param dedupWindow how long a message id is remembered for idempotent sends (at least 24 h)
   * @param readBatch   entries read from Redis per delivery batch
   */
  public record MailboxConfig(Duration retention, int maxLength, Duration dedupWindow, int readBatch) {}

  /**
   * @param maxPerAccount most devices one account may have (a phone plus four companions, as WhatsApp)
   * @param linkCodeTtl   how long a link code is valid
   */
  public record DevicesConfig(int maxPerAccount, Duration linkCodeTtl) {}

  /**
   * @param endpoint       S3 endpoint the server talks to, e.g. {@code http://minio:9000}; empty starts an embedded
   *                       S3 store (S3Proxy on {@code dataDir/media}, SigV4 checked, loopback only)
   * @param publicEndpoint the endpoint clients reach, which presigned URLs are signed for; empty: {@code endpoint}
   * @param region         the store's region
   * @param bucket         the bucket, created (with its expiry rule where supported) at start
   * @param accessKey      {@code env:NAME} or {@code file:PATH}; required with an endpoint
   * @param secretKey      {@code env:NAME} or {@code file:PATH}; required with an endpoint
   * @param maxSize        largest attachment (ciphertext bytes)
   * @param partSize       bytes per uploaded part
   * @param urlTtl         how long presigned URLs and forms work
   * @param retention      how long attachments are kept
   * @param uploads        how parts are uploaded: {@code put} (one presigned PUT per part, whose signature covers
   *                       the object key and the expiry), {@code post} (presigned POST forms, whose policy also
   *                       bounds the size and pins the content type, for stores that enforce policies: MinIO, S3),
   *                       or {@code auto}: {@code put} with the embedded store, {@code post} with a configured one
   */
  public record MediaConfig(String endpoint, String publicEndpoint, String region, String bucket, String accessKey,
      String secretKey, long maxSize, long partSize, Duration urlTtl, Duration retention, String uploads) {
    /** Whether no store is configured, so the server starts its own. */
    public boolean embedded() {
      return endpoint == null || endpoint.isBlank();
    }

    /**
     * Whether parts go up as presigned PUTs rather than POST forms: always with the embedded store, which ignores
     * POST policy conditions (docs/PROTOCOL.md §1 "Attachments").
     */
    public boolean presignedPuts() {
      return embedded() || "put".equals(uploads);
    }
  }

  /**
   * @param enabled      join a cluster of nodes (they must share Redis and the S3 store)
   * @param name         cluster name; nodes with another name do not join
   * @param host         address Hazelcast and the event bus bind to and announce
   * @param port         first Hazelcast port tried (it counts up when taken); the event bus picks its own
   * @param members      addresses (host or host:port) of some other members, for TCP/IP discovery; empty uses
   *                     multicast
   * @param hazelcastXml a full Hazelcast XML config instead of the settings above (for Kubernetes or cloud
   *                     discovery); it must keep Vert.x's {@code __vertx.*} maps (see config/cluster.example.xml)
   */
  public record ClusterConfig(boolean enabled, String name, String host, int port, List<String> members,
      String hazelcastXml) {}

  /** See docs/PROTOCOL.md §7 for each limit. */
  public record LimitsConfig(
      int maxFrameBytes,
      int maxCiphertextBytes,
      int maxEnvelopesPerSend,
      int maxReceiptIds,
      int sendsPerSecond,
      int sendBurst,
      int loginsPerMinute,
      int maxUnackedEntries,
      int maxErrorsPerMinute,
      int maxPreKeysPerUpload,
      int bundleFetchesPerMinute,
      int uploadsPerMinute,
      int registrationsPerMinute,
      int linkAttemptsPerMinute,
      int linkCodesPerMinute,
      int pushRegistrationsPerMinute) {}

  /**
   * @param pingInterval how often the server pings an idle socket
   * @param idleTimeout  silence (no frame, no pong) after which the socket is closed with 4408
   */
  public record ConnectionConfig(Duration pingInterval, Duration idleTimeout) {}
}
