package io.courier.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;

/** The {@code push.*} rules of {@link ConfigValidator}: one method per provider, each adding to the problems. */
final class PushConfigValidator {
  /** Apple's key ids and team ids are 10 characters (uppercase letters and digits). */
  private static final int APPLE_ID_LENGTH = 10;

  private PushConfigValidator() {}

  static void validate(List<String> p, PushConfig push) {
    if (push == null) {
      p.add("push: must be a map");
      return;
    }
    ConfigValidator.durationBetween(p, "push.window", push.window(), Duration.ofSeconds(1), Duration.ofHours(1));
    ConfigValidator.durationBetween(p, "push.grace", push.grace(), Duration.ZERO, Duration.ofMinutes(10));
    ConfigValidator.durationBetween(p, "push.takeover", push.takeover(), Duration.ofSeconds(1),
        Duration.ofMinutes(10));
    ConfigValidator.durationBetween(p, "push.ttl", push.ttl(), Duration.ZERO, Duration.ofDays(28));
    if (push.apns() == null || push.fcm() == null || push.webPush() == null) {
      p.add("push.apns, push.fcm, push.webPush: must be maps");
      return;
    }
    validateApns(p, push.apns());
    validateFcm(p, push.fcm());
    validateWebPush(p, push.webPush());
  }

  private static void validateApns(List<String> p, PushConfig.ApnsConfig a) {
    ConfigValidator.range(p, "push.apns.port", a.port(), 1, 65_535);
    ConfigValidator.secretReference(p, "push.apns.signingKey", a.signingKey());
    ConfigValidator.secretReference(p, "push.apns.trustedCertificates", a.trustedCertificates());
    if (a.enabled()) {
      ConfigValidator.notBlank(p, "push.apns.signingKey", a.signingKey());
      appleId(p, "push.apns.keyId", a.keyId());
      appleId(p, "push.apns.teamId", a.teamId());
    }
  }

  private static void appleId(List<String> p, String key, String value) {
    if (value == null || !value.matches("[A-Z0-9]{" + APPLE_ID_LENGTH + "}")) {
      p.add(key + ": must be " + APPLE_ID_LENGTH + " uppercase letters or digits (Apple's developer account)");
    }
  }

  private static void validateFcm(List<String> p, PushConfig.FcmConfig f) {
    ConfigValidator.notBlank(p, "push.fcm.baseUrl", f.baseUrl());
    httpUrl(p, "push.fcm.baseUrl", f.baseUrl());
    if (f.tokenUrl() != null && !f.tokenUrl().isBlank()) {
      httpUrl(p, "push.fcm.tokenUrl", f.tokenUrl());
    }
    ConfigValidator.secretReference(p, "push.fcm.serviceAccount", f.serviceAccount());
    if (f.enabled()) {
      ConfigValidator.notBlank(p, "push.fcm.serviceAccount", f.serviceAccount());
    }
    // it becomes a path segment: letters, digits and the separators of (also legacy, domain-scoped) project ids
    if (f.projectId() != null && !f.projectId().isBlank() && !f.projectId().matches("[A-Za-z0-9.:_-]+")) {
      p.add("push.fcm.projectId: '" + f.projectId() + "' is not a project id");
    }
  }

  /** An absolute {@code http} or {@code https} URL without query or fragment (paths are appended to it). */
  private static void httpUrl(List<String> p, String key, String value) {
    if (value == null || value.isBlank()) {
      return;
    }
    try {
      URI uri = new URI(value);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getQuery() != null || uri.getFragment() != null) {
        p.add(key + ": '" + value + "' is not an http(s) URL without query or fragment");
      }
    } catch (URISyntaxException e) {
      p.add(key + ": '" + value + "' is not a URL");
    }
  }

  private static void validateWebPush(List<String> p, PushConfig.WebPushConfig w) {
    ConfigValidator.notBlank(p, "push.webPush.subject", w.subject());
    if (w.subject() != null && !w.subject().startsWith("mailto:") && !w.subject().startsWith("https:")) {
      p.add("push.webPush.subject: must be a mailto: or https: URI (RFC 8292 §2.1), got '" + w.subject() + "'");
    }
    if (w.vapidPublicKey() == null || w.vapidPrivateKey() == null
        || w.vapidPublicKey().isBlank() != w.vapidPrivateKey().isBlank()) {
      p.add("push.webPush.vapidPublicKey, push.webPush.vapidPrivateKey: set both (file: or env: references) or "
          + "neither (development keys in dataDir/keys)");
    }
    ConfigValidator.secretReference(p, "push.webPush.vapidPublicKey", w.vapidPublicKey());
    ConfigValidator.secretReference(p, "push.webPush.vapidPrivateKey", w.vapidPrivateKey());
  }
}

