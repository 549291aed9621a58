package io.courier.push;

/**
 * The one payload every wake-up carries, whatever the platform: nothing about the sender, the message or how many
 * are waiting. The app connects, reads its mailbox and shows the notification itself (docs/CLIENT.md).
 */
public final class WakeUp {
  /** The collapse key (APNs {@code apns-collapse-id}, FCM {@code collapse_key}, Web Push {@code Topic}). */
  public static final String COLLAPSE_ID = "courier-wake";
  /** The JSON payload for platforms that carry one (FCM data, Web Push body): {@code {"wake":1}}. */
  public static final String DATA = "{\"wake\":1}";

  private WakeUp() {}
}
