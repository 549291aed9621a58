package io.courier.config;

import java.time.Duration;
import java.util.List;

/** The {@code push.*} rules of {@link ConfigValidator}: one method per provider, each adding to the problems. */
final class PushConfigValidator {
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
  }

  private static void validateFcm(List<String> p, PushConfig.FcmConfig f) {
    ConfigValidator.notBlank(p, "push.fcm.baseUrl", f.baseUrl());
  }

  private static void validateWebPush(List<String> p, PushConfig.WebPushConfig w) {
    ConfigValidator.notBlank(p, "push.webPush.subject", w.subject());
  }
}
