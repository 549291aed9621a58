package io.courier.push;

import io.courier.config.PushConfig;
import java.time.Duration;

/** Push configs for sender tests: push on, one provider's section given, the others off. */
final class TestPushConfigs {
  /** The {@code push.ttl} of the tests. */
  static final Duration TTL = Duration.ofHours(2);

  private TestPushConfigs() {}

  static PushConfig with(PushConfig.ApnsConfig apns) {
    return new PushConfig(true, Duration.ofSeconds(30), Duration.ofSeconds(10), false, TTL, true,
        Duration.ofSeconds(30), apns, fcmOff(), webPushOff());
  }

  static PushConfig with(PushConfig.FcmConfig fcm) {
    return new PushConfig(true, Duration.ofSeconds(30), Duration.ofSeconds(10), false, TTL, true,
        Duration.ofSeconds(30), apnsOff(), fcm, webPushOff());
  }

  static PushConfig.ApnsConfig apnsOff() {
    return new PushConfig.ApnsConfig(false, "", "", "", "", 443, "");
  }

  static PushConfig.FcmConfig fcmOff() {
    return new PushConfig.FcmConfig(false, "", "", "https://fcm.googleapis.com", "");
  }

  static PushConfig.WebPushConfig webPushOff() {
    return new PushConfig.WebPushConfig(false, "", "", "mailto:admin@localhost");
  }
}
