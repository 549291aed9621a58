package io.courier.push;

/**
 * Where one device's wake-ups go: the push service of its platform and the address the app got from it. A device
 * has at most one target; registering one replaces the last (docs/PROTOCOL.md §1 "Push").
 */
public sealed interface PushTarget {

  /** The wire name of the kind: {@code apns}, {@code fcm} or {@code webpush}. */
  String kind();

  /**
   * Apple Push Notification service.
   *
   * @param token   the device token (hex, as the app got it from {@code registerForRemoteNotifications})
   * @param topic   the app's bundle id (the APNs topic)
   * @param sandbox whether the token is from APNs's development environment
   */
  record Apns(String token, String topic, boolean sandbox) implements PushTarget {
    @Override
    public String kind() {
      return "apns";
    }
  }

  /**
   * Firebase Cloud Messaging (HTTP v1 API).
   *
   * @param token the registration token the app got from the FCM SDK
   */
  record Fcm(String token) implements PushTarget {
    @Override
    public String kind() {
      return "fcm";
    }
  }

  /**
   * Web Push (RFC 8030), payloads encrypted per RFC 8291 ({@code aes128gcm}); also UnifiedPush distributors.
   *
   * @param endpoint the push service's subscription URL ({@code https} only)
   * @param p256dh   the subscription's P-256 public key, base64url
   * @param auth     the subscription's 16-byte authentication secret, base64url
   */
  record WebPush(String endpoint, String p256dh, String auth) implements PushTarget {
    @Override
    public String kind() {
      return "webpush";
    }
  }
}
