package io.courier.auth;

/**
 * Builders for the Redis keys of accounts and devices. Every key carries the account's hash tag
 * {@code {u:<account>}}, so one account's keys share a Redis Cluster slot.
 *
 * <ul>
 *   <li>{@code account:{u:A}}: hash; {@code password} (bcrypt), {@code created} (ms), {@code nextDevice}
 *       (the last device number handed out); or, for an account known from an external issuer's tokens, only
 *       {@code external}. Lives as long as the account.
 *   <li>{@code devices:{u:A}}: hash; device number to a JSON object {@code {"name","created","external"}}.
 *       A device exists while it is here: the handshake, the mailbox and receipts all check it.
 *   <li>{@code refresh:{u:A}:D}: string; SHA-256 hex of device D's current refresh token; expires with it.
 * </ul>
 */
public final class AccountRedisKeys {
  private AccountRedisKeys() {}

  public static String account(String account) {
    return "account:{u:" + account + "}";
  }

  public static String devices(String account) {
    return "devices:{u:" + account + "}";
  }

  /** A pending link code; not an account key, so it is hash-tagged by the code itself. */
  public static String linkCode(String code) {
    return "link:{c:" + code + "}";
  }

  public static String refreshToken(String account, int device) {
    return "refresh:{u:" + account + "}:" + device;
  }
}
