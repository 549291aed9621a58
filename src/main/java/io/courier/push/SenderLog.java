package io.courier.push;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** What a sender may log about a target: never the token, only a short digest that tells log lines apart. */
final class SenderLog {
  /** Hex characters of the SHA-256 kept: enough to tell devices apart in a log, too few to be the token. */
  private static final int DIGEST_CHARS = 8;

  private SenderLog() {}

  /** The first {@link #DIGEST_CHARS} hex characters of the SHA-256 of {@code token}. */
  static String digest(String token) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash).substring(0, DIGEST_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
