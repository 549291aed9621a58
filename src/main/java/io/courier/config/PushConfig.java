package io.courier.config;

import java.time.Duration;

/**
 * Wake-ups for devices whose app is not connected (docs/PROTOCOL.md §1 "Push", docs/CONFIG.md). Off by default:
 * the embedded mode sends no pushes.
 *
 * @param enabled             whether this node runs push workers and accepts registrations at all
 * @param window              at most one wake-up per device per window while it has undelivered entries
 * @param grace               how long after a connection closed with unacked entries its wake-up waits (a phone
 *                            switching networks reconnects within it and is not woken)
 * @param receipts            whether a receipt alone (no message) makes a wake-up due
 * @param ttl                 how long a push service keeps an undelivered wake-up
 * @param allowPrivateTargets whether Web Push endpoints may name loopback, private or link-local addresses; for
 *                            tests and development only (a server-side request forgery guard otherwise)
 * @param takeover            how long a wake-up read by a push worker may stay unsettled before another node's worker
 *                            takes it over (the first node is taken for dead); longer than any sender's deadline
 * @param apns                Apple Push Notification service
 * @param fcm                 Firebase Cloud Messaging
 * @param webPush             Web Push (RFC 8030/8291/8292)
 */
public record PushConfig(boolean enabled, Duration window, Duration grace, boolean receipts, Duration ttl,
    boolean allowPrivateTargets, Duration takeover, ApnsConfig apns, FcmConfig fcm, WebPushConfig webPush) {

  static PushConfig defaults() {
    return new PushConfig(false, Duration.ofSeconds(30), Duration.ofSeconds(10), false, Duration.ofDays(1), false,
        Duration.ofSeconds(30), ApnsConfig.defaults(), FcmConfig.defaults(), WebPushConfig.defaults());
  }

  /**
   * APNs through {@code ApnsSender}: HTTP/2, token authentication. Apple receives, per wake-up, the device token,
   * the topic (bundle id), an ES256 JWT naming {@code keyId} and {@code teamId}, {@code apns-push-type alert},
   * priority 10, the collapse id {@code courier-wake}, an expiration of now plus {@code push.ttl}, and the constant
   * payload {@code {"aps":{"alert":{"loc-key":"COURIER_WAKE"},"mutable-content":1}}} for the app's Notification
   * Service Extension; nothing about the sender, the message or how many wait (docs/PUSH-PROVIDERS.md).
   *
   * @param enabled    whether APNs targets are accepted and sent to
   * @param signingKey {@code file:PATH} or {@code env:NAME} of the {@code .p8} token-signing key (ES256); required
   *                   when enabled
   * @param keyId      the key's id (10 characters, from Apple's developer account); required when enabled
   * @param teamId     the team id (10 characters); required when enabled
   * @param host       APNs host override; empty uses Apple's production or development host per target
   * @param port       port for {@code host} (443 with Apple's hosts)
   * @param trustedCertificates {@code file:PATH} of PEM certificates to trust instead of the system's (tests);
   *                   empty trusts the system's
   */
  public record ApnsConfig(boolean enabled, String signingKey, String keyId, String teamId, String host, int port,
      String trustedCertificates) {
    static ApnsConfig defaults() {
      return new ApnsConfig(false, "", "", "", "", 443, "");
    }
  }

  /**
   * FCM HTTP v1 through {@code FcmSender}. Google receives, per wake-up, the registration token and a data-only
   * message {@code data {"wake":"1"}} with {@code android.priority HIGH}, {@code collapse_key courier-wake} and
   * {@code ttl} {@code push.ttl}, under an OAuth2 access token obtained about hourly with the service account's
   * key; nothing about the sender, the message or how many wait (docs/PUSH-PROVIDERS.md).
   *
   * @param enabled        whether FCM targets are accepted and sent to
   * @param serviceAccount {@code file:PATH} or {@code env:NAME} of the service-account key JSON; required when
   *                       enabled
   * @param projectId      the Firebase project id; empty takes the service account's
   * @param baseUrl        the FCM API's base URL ({@code https://fcm.googleapis.com})
   * @param tokenUrl       the OAuth2 token endpoint; empty takes the service account's {@code token_uri}
   */
  public record FcmConfig(boolean enabled, String serviceAccount, String projectId, String baseUrl,
      String tokenUrl) {
    static FcmConfig defaults() {
      return new FcmConfig(false, "", "", "https://fcm.googleapis.com", "");
    }
  }

  /**
   * @param enabled         whether Web Push targets are accepted and sent to
   * @param vapidPublicKey  {@code file:PATH} or {@code env:NAME} of the VAPID public key (PEM); empty, with the
   *                        private key empty, generates development keys in {@code dataDir/keys}
   * @param vapidPrivateKey {@code file:PATH} or {@code env:NAME} of the VAPID private key (PKCS#8 PEM)
   * @param subject         the VAPID {@code sub}: a {@code mailto:} or {@code https:} contact for push services
   */
  public record WebPushConfig(boolean enabled, String vapidPublicKey, String vapidPrivateKey, String subject) {
    static WebPushConfig defaults() {
      return new WebPushConfig(false, "", "", "mailto:admin@localhost");
    }
  }
}
