package io.courier.prekeys;

import io.courier.protocol.DeviceId;

/**
 * Builders for the key directory's Redis keys, hash-tagged by account ({@code {u:<account>}}).
 *
 * <ul>
 *   <li>{@code keys:{u:A}:D}: hash; {@code identityKey}, {@code registrationId}, {@code signedPreKey} and
 *       {@code lastResortKyberPreKey} (JSON {@code {"id","publicKey","signature"}}) of device D.
 *   <li>{@code regids:{u:A}}: hash; device number to registration id, for exactly the devices that have keys.
 *       The mailbox reads it to check a send's device set.
 *   <li>{@code otpk:{u:A}:D}: list of one-time EC pre-keys (JSON {@code {"id","publicKey"}}), taken with LPOP.
 *   <li>{@code kyber:{u:A}:D}: list of one-time Kyber pre-keys (JSON with signature), taken with LPOP.
 * </ul>
 * All of a device's keys go when the device is unlinked or logs out.
 */
public final class PreKeysRedisKeys {
  private PreKeysRedisKeys() {}

  public static String deviceKeys(DeviceId device) {
    return deviceKeysPrefix(device.account()) + device.device();
  }

  static String deviceKeysPrefix(String account) {
    return "keys:{u:" + account + "}:";
  }

  public static String registrationIds(String account) {
    return "regids:{u:" + account + "}";
  }

  static String oneTimePreKeys(DeviceId device) {
    return oneTimePreKeysPrefix(device.account()) + device.device();
  }

  static String oneTimePreKeysPrefix(String account) {
    return "otpk:{u:" + account + "}:";
  }

  static String kyberPreKeys(DeviceId device) {
    return kyberPreKeysPrefix(device.account()) + device.device();
  }

  static String kyberPreKeysPrefix(String account) {
    return "kyber:{u:" + account + "}:";
  }
}
