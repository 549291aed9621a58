package io.courier.config;

import io.courier.config.CourierConfig.AuthConfig;
import io.courier.config.CourierConfig.ExternalIssuerConfig;
import io.courier.net.AddressBlock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks a {@link CourierConfig} as a whole and returns every problem, each naming the keys and values
 * involved. Rules between fields are named methods so the rule reads in one line.
 */
public final class ConfigValidator {
  /** Algorithms an external issuer may use; {@code none} and the HMAC family are never accepted. */
  static final Set<String> ASYMMETRIC_ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA");
  /** The dedup window must cover at least a day of client retries (docs/PROTOCOL.md). */
  static final Duration MIN_DEDUP_WINDOW = Duration.ofHours(24);
  /** Room in a frame for the JSON around the largest ciphertext. */
  static final int FRAME_OVERHEAD_BYTES = 4_096;
  /** Shortest HTTP idle and request-head timeout: a slow link needs a moment to send a head. */
  static final Duration MIN_HTTP_TIMEOUT = Duration.ofSeconds(1);
  /** Longest HTTP idle and request-head timeout: beyond it, idle clients can hold a node's file descriptors. */
  static final Duration MAX_HTTP_TIMEOUT = Duration.ofMinutes(10);

  private ConfigValidator() {}

  public static List<String> validate(CourierConfig c) {
    List<String> p = new ArrayList<>();
    for (String section : List.of("server", "redis", "auth", "mailbox", "devices", "media", "cluster", "limits",
        "connection", "push")) {
      if (sectionOf(c, section) == null) {
        p.add(section + ": must be a mapping, not null");
      }
    }
    if (!p.isEmpty()) {
      return p;
    }
    range(p, "server.port", c.server().port(), 0, 65_535);
    range(p, "server.instances", c.server().instances(), 0, 256);
    notBlank(p, "server.host", c.server().host());
    if (c.server().allowedOrigins() == null) {
      p.add("server.allowedOrigins: must be a list (may be empty)");
    }
    if (c.server().trustedProxies() == null) {
      p.add("server.trustedProxies: must be a list (may be empty)");
    } else {
      for (String proxy : c.server().trustedProxies()) {
        if (!AddressBlock.isValid(proxy)) {
          p.add("server.trustedProxies: '" + proxy + "' is not an IP address or CIDR block (e.g. 10.0.0.0/8)");
        }
      }
    }
    durationBetween(p, "server.idleTimeout", c.server().idleTimeout(), MIN_HTTP_TIMEOUT, MAX_HTTP_TIMEOUT);
    durationBetween(p, "server.requestHeaderTimeout", c.server().requestHeaderTimeout(), MIN_HTTP_TIMEOUT,
        MAX_HTTP_TIMEOUT);
    String urls = c.redis().url();
    for (String url : urls == null ? new String[0] : urls.split(",")) {
      if (!url.isBlank() && !url.trim().startsWith("redis://") && !url.trim().startsWith("rediss://")) {
        p.add("redis.url: '" + url + "' must start with redis:// or rediss:// (or be empty for embedded Redis)");
      }
    }
    if (c.redis().cluster() && c.redis().embedded()) {
      p.add("redis.cluster: a Redis Cluster needs redis.url (its nodes); the embedded Redis is standalone");
    }
    range(p, "redis.poolSize", c.redis().poolSize(), 1, 128);
    if (!Set.of("always", "everysec", "no").contains(String.valueOf(c.redis().embeddedFsync()))) {
      p.add("redis.embeddedFsync: '" + c.redis().embeddedFsync() + "' must be always, everysec or no");
    }
    validateAuth(p, c.auth());
    validateMailbox(p, c.mailbox());
    range(p, "devices.maxPerAccount", c.devices().maxPerAccount(), 1, 100);
    durationBetween(p, "devices.linkCodeTtl", c.devices().linkCodeTtl(), Duration.ofSeconds(30), Duration.ofHours(1));
    validateMedia(p, c.media());
    if (c.cluster().enabled()) {
      notBlank(p, "cluster.name", c.cluster().name());
      notBlank(p, "cluster.host", c.cluster().host());
      range(p, "cluster.port", c.cluster().port(), 1, 65_535);
      if (c.cluster().members() == null) {
        p.add("cluster.members: must be a list (may be empty)");
      }
      if (clusterNeedsEmbeddedStores(c)) {
        p.add("cluster.enabled: clustered nodes must share Redis and the S3 store: set redis.url and media.endpoint");
      }
    }
    validateLimits(p, c.limits());
    durationAtLeast(p, "connection.pingInterval", c.connection().pingInterval(), Duration.ofSeconds(1));
    if (!pingFitsInIdleTimeout(c.connection())) {
      p.add("connection.pingInterval (" + c.connection().pingInterval() + ") must be shorter than "
          + "connection.idleTimeout (" + c.connection().idleTimeout() + ")");
    }
    if (c.push() != null) {
      PushConfigValidator.validate(p, c.push());
    }
    notBlank(p, "dataDir", c.dataDir());
    return p;
  }

  private static void validateAuth(List<String> p, AuthConfig a) {
    notBlank(p, "auth.issuer", a.issuer());
    notBlank(p, "auth.audience", a.audience());
    durationBetween(p, "auth.accessTokenTtl", a.accessTokenTtl(), Duration.ofMinutes(1), Duration.ofHours(24));
    durationAtLeast(p, "auth.leeway", a.leeway(), Duration.ZERO);
    if (a.leeway() != null && a.leeway().compareTo(Duration.ofMinutes(1)) > 0) {
      p.add("auth.leeway: " + a.leeway() + " is more than PT1M");
    }
    if (!refreshOutlivesAccess(a)) {
      p.add("auth.refreshTokenTtl (" + a.refreshTokenTtl() + ") must be longer than auth.accessTokenTtl ("
          + a.accessTokenTtl() + ")");
    }
    range(p, "auth.bcryptCost", a.bcryptCost(), 4, 31);
    boolean hasPrivate = !isBlank(a.privateKeyPem());
    boolean hasPublic = !isBlank(a.publicKeyPem());
    if (hasPrivate != hasPublic) {
      p.add("auth.privateKeyPem and auth.publicKeyPem: set both, or neither to generate development keys");
    }
    secretReference(p, "auth.privateKeyPem", a.privateKeyPem());
    secretReference(p, "auth.publicKeyPem", a.publicKeyPem());
    if (a.external() != null) {
      validateExternal(p, a.external());
    }
  }

  private static void validateExternal(List<String> p, ExternalIssuerConfig e) {
    notBlank(p, "auth.external.issuer", e.issuer());
    notBlank(p, "auth.external.audience", e.audience());
    if (isBlank(e.publicKeyPem()) == isBlank(e.jwksUrl())) {
      p.add("auth.external: set exactly one of publicKeyPem and jwksUrl");
    }
    secretReference(p, "auth.external.publicKeyPem", e.publicKeyPem());
    if (e.algorithms() == null || e.algorithms().isEmpty()) {
      p.add("auth.external.algorithms: name at least one algorithm, e.g. [RS256]");
    } else {
      for (String alg : e.algorithms()) {
        // Set.of(...).contains(null) throws: a YAML list item `~` is null.
        if (alg == null || !ASYMMETRIC_ALGORITHMS.contains(alg)) {
          p.add("auth.external.algorithms: '" + alg + "' is not accepted; use one of " + ASYMMETRIC_ALGORITHMS);
        }
      }
    }
  }

  private static void validateMailbox(List<String> p, CourierConfig.MailboxConfig m) {
    durationAtLeast(p, "mailbox.retention", m.retention(), Duration.ofHours(1));
    durationAtLeast(p, "mailbox.dedupWindow", m.dedupWindow(), MIN_DEDUP_WINDOW);
    range(p, "mailbox.maxLength", m.maxLength(), 100, 10_000_000);
    range(p, "mailbox.readBatch", m.readBatch(), 1, 1_000);
  }

  private static void validateMedia(List<String> p, CourierConfig.MediaConfig m) {
    for (String key : List.of("endpoint", "publicEndpoint")) {
      String url = "endpoint".equals(key) ? m.endpoint() : m.publicEndpoint();
      if (!isBlank(url) && !url.startsWith("http://") && !url.startsWith("https://")) {
        p.add("media." + key + ": '" + url + "' must start with http:// or https://");
      }
    }
    if (!m.embedded() && (isBlank(m.accessKey()) || isBlank(m.secretKey()))) {
      p.add("media.accessKey and media.secretKey: required with media.endpoint (file:PATH or env:NAME)");
    }
    secretReference(p, "media.accessKey", m.accessKey());
    secretReference(p, "media.secretKey", m.secretKey());
    notBlank(p, "media.region", m.region());
    if (isBlank(m.bucket()) || !m.bucket().matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      p.add("media.bucket: '" + m.bucket() + "' is not a valid bucket name");
    }
    range(p, "media.maxSize", m.maxSize(), 1_024, 5L * 1024 * 1024 * 1024);
    range(p, "media.partSize", m.partSize(), 64 * 1024, 512L * 1024 * 1024);
    durationBetween(p, "media.urlTtl", m.urlTtl(), Duration.ofSeconds(10), Duration.ofHours(1));
    durationAtLeast(p, "media.retention", m.retention(), Duration.ofDays(1));
    validateUploads(p, m);
  }

  /** POST forms are only as strict as the store: the embedded one (S3Proxy) ignores their conditions. */
  private static void validateUploads(List<String> p, CourierConfig.MediaConfig m) {
    if (!List.of("auto", "post", "put").contains(String.valueOf(m.uploads()))) {
      p.add("media.uploads: '" + m.uploads() + "' must be auto, post or put");
    } else if (m.embedded() && "post".equals(m.uploads())) {
      p.add("media.uploads: 'post' needs a store that enforces POST policies (MinIO, S3) in media.endpoint; the "
          + "embedded store ignores their conditions, so it takes 'put' (or 'auto')");
    }
  }

  private static void validateLimits(List<String> p, CourierConfig.LimitsConfig l) {
    range(p, "limits.maxCiphertextBytes", l.maxCiphertextBytes(), 1, 16 * 1024 * 1024);
    range(p, "limits.maxFrameBytes", l.maxFrameBytes(), 1_024, 64 * 1024 * 1024);
    range(p, "limits.maxEnvelopesPerSend", l.maxEnvelopesPerSend(), 1, 1_000);
    range(p, "limits.maxReceiptIds", l.maxReceiptIds(), 1, 1_000);
    range(p, "limits.sendsPerSecond", l.sendsPerSecond(), 1, 1_000_000);
    range(p, "limits.sendBurst", l.sendBurst(), 1, 1_000_000);
    range(p, "limits.loginsPerMinute", l.loginsPerMinute(), 1, 1_000_000);
    range(p, "limits.maxUnackedEntries", l.maxUnackedEntries(), 1, 100_000);
    range(p, "limits.maxErrorsPerMinute", l.maxErrorsPerMinute(), 1, 1_000_000);
    range(p, "limits.maxPreKeysPerUpload", l.maxPreKeysPerUpload(), 1, 1_000);
    range(p, "limits.bundleFetchesPerMinute", l.bundleFetchesPerMinute(), 1, 1_000_000);
    range(p, "limits.uploadsPerMinute", l.uploadsPerMinute(), 1, 1_000_000);
    range(p, "limits.registrationsPerMinute", l.registrationsPerMinute(), 1, 1_000_000);
    range(p, "limits.linkAttemptsPerMinute", l.linkAttemptsPerMinute(), 1, 1_000_000);
    range(p, "limits.linkCodesPerMinute", l.linkCodesPerMinute(), 1, 1_000_000);
    range(p, "limits.pushRegistrationsPerMinute", l.pushRegistrationsPerMinute(), 1, 1_000_000);
    if (!envelopeFitsInFrame(l)) {
      p.add("limits.maxFrameBytes (" + l.maxFrameBytes() + ") must hold one base64 ciphertext of "
          + "limits.maxCiphertextBytes (" + l.maxCiphertextBytes() + ") plus " + FRAME_OVERHEAD_BYTES + " bytes");
    }
  }

  static boolean clusterNeedsEmbeddedStores(CourierConfig c) {
    return c.redis().embedded() || c.media().embedded();
  }

  static boolean envelopeFitsInFrame(CourierConfig.LimitsConfig l) {
    return (long) l.maxFrameBytes() >= (l.maxCiphertextBytes() + 2L) / 3 * 4 + FRAME_OVERHEAD_BYTES;
  }

  static boolean refreshOutlivesAccess(AuthConfig a) {
    return a.refreshTokenTtl() == null || a.accessTokenTtl() == null
        || a.refreshTokenTtl().compareTo(a.accessTokenTtl()) > 0;
  }

  static boolean pingFitsInIdleTimeout(CourierConfig.ConnectionConfig c) {
    return c.pingInterval() == null || c.idleTimeout() == null || c.pingInterval().compareTo(c.idleTimeout()) < 0;
  }

  /** Secrets are never literals in a config file: only {@code file:PATH} or {@code env:NAME}. */
  static void secretReference(List<String> p, String key, String value) {
    if (!isBlank(value) && !value.startsWith("file:") && !value.startsWith("env:")) {
      p.add(key + ": must be a reference, file:PATH or env:NAME, not the key itself");
    }
  }

  private static Object sectionOf(CourierConfig c, String section) {
    return switch (section) {
      case "server" -> c.server();
      case "redis" -> c.redis();
      case "auth" -> c.auth();
      case "mailbox" -> c.mailbox();
      case "devices" -> c.devices();
      case "media" -> c.media();
      case "cluster" -> c.cluster();
      case "limits" -> c.limits();
      case "connection" -> c.connection();
      default -> c.push();
    };
  }

  static void range(List<String> p, String key, long value, long min, long max) {
    if (value < min || value > max) {
      p.add(key + ": " + value + " is outside " + min + ".." + max);
    }
  }

  static void notBlank(List<String> p, String key, String value) {
    if (isBlank(value)) {
      p.add(key + ": must not be empty");
    }
  }

  static void durationAtLeast(List<String> p, String key, Duration value, Duration min) {
    if (value == null) {
      p.add(key + ": is required (an ISO-8601 duration such as PT30S)");
    } else if (value.compareTo(min) < 0) {
      p.add(key + ": " + value + " is less than " + min);
    }
  }

  static void durationBetween(List<String> p, String key, Duration value, Duration min, Duration max) {
    durationAtLeast(p, key, value, min);
    if (value != null && value.compareTo(max) > 0) {
      p.add(key + ": " + value + " is more than " + max);
    }
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
