package io.courier.push;

import io.courier.protocol.DeviceId;

/**
 * Builders for the push keys. Per-device keys carry the account's hash tag ({@code {u:<account>}}), so the mailbox
 * append can read them in the same script; the queue has a tag of its own ({@code {push}}).
 *
 * <ul>
 *   <li>{@code pushtarget:{u:A}:D}: hash; device D's target: {@code kind} ({@code apns}, {@code fcm},
 *       {@code webpush}) and its fields ({@code token}, {@code topic}, {@code sandbox}; {@code token};
 *       {@code endpoint}, {@code p256dh}, {@code auth}), {@code digest} (as in {@code pushtoken}, so a removal can
 *       check it still is that token), {@code at} (registered, ms). Lives until replaced, removed,
 *       refused for good by the push service, or the device is unlinked.
 *   <li>{@code pushtoken:{p:<sha256 of kind and token or endpoint>}}: string; {@code A:D}, the device holding that
 *       token, so registering it elsewhere moves it. Removed with the target.
 *   <li>{@code pushsched:{u:A}:D}: hash; device D's wake-up schedule: {@code state} ({@code queued},
 *       {@code claimed}, absent when none is due), {@code sentAt} (ms of the last wake-up sent), {@code claimedAt}.
 *       Deleted when the device connects.
 *   <li>{@code pushq:{push}}: stream; due wake-ups, fields {@code a} (account), {@code d} (device), {@code r}
 *       (reason: {@code message}, {@code closed}, {@code again}); read by the consumer group {@code workers}.
 *   <li>{@code pushlater:{push}}: sorted set; {@code A:D} by the time (ms) a wake-up becomes due (after a window,
 *       a grace or a retry), moved into {@code pushq:{push}} then.
 * </ul>
 */
public final class PushRedisKeys {
  /** The consumer group of the push workers on {@link #queue()}. */
  public static final String WORKERS = "workers";

  private PushRedisKeys() {}

  public static String target(DeviceId device) {
    return "pushtarget:{u:" + device.account() + "}:" + device.device();
  }

  /** {@code pushtarget:{u:A}:}: the prefix a device number completes, for scripts that build the keys per device. */
  public static String targetPrefix(String account) {
    return "pushtarget:{u:" + account + "}:";
  }

  /** {@code pushsched:{u:A}:}: the prefix a device number completes. */
  public static String schedulePrefix(String account) {
    return "pushsched:{u:" + account + "}:";
  }

  /** {@code digest}: hex SHA-256 of the target's kind and token (or endpoint). */
  public static String tokenOwner(String digest) {
    return "pushtoken:{p:" + digest + "}";
  }

  public static String schedule(DeviceId device) {
    return "pushsched:{u:" + device.account() + "}:" + device.device();
  }

  public static String queue() {
    return "pushq:{push}";
  }

  public static String later() {
    return "pushlater:{push}";
  }
}
