package io.courier.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt ({@code $2y$}) through Bouncy Castle's {@link OpenBSDBCrypt}, over a SHA-384 digest of the password.
 * Deliberately slow: call it off the event loop ({@code executeBlocking}).
 *
 * <p>Stored hashes have two forms: {@code sha384+$2y$<cost>$...} (bcrypt of the base64 SHA-384 digest of the
 * password's UTF-8 bytes, written since 2026-12-08) and plain {@code $2y$<cost>$...} (bcrypt of the password
 * itself, written before); both are checked.
 *
 * @implNote bcrypt reads at most 72 bytes of its input, so on its own two passwords that share their first 72
 * bytes (18 four-byte emoji, say) are the same password. Pre-hashing, as OWASP's password storage cheat sheet
 * recommends, makes every byte count; the digest is base64-encoded (64 characters) because bcrypt stops at a NUL
 * byte, which a raw digest may hold. Old plain hashes keep the 72-byte limit until their account changes
 * password.
 */
final class PasswordHasher {
  /** Marks a hash of the pre-hashed password. */
  static final String PREHASHED = "sha384+";
  private static final SecureRandom RANDOM = new SecureRandom();
  /**
   * Salt and digest of a bcrypt hash of a random, forgotten password (made once with Bouncy Castle); with a cost
   * in front it is a well-formed hash that no known password matches.
   */
  private static final String DECOY_SALT_AND_DIGEST = "KBXCHLbXWHsqVVt3Iy5N0.mr6QMpksp9aCbOENXWCuhNbeeNExPAa";
  /**
   * Checked for unknown users so timing does not reveal who exists. Checking runs bcrypt at the cost the hash
   * names, so the decoy costs what a real check costs without being computed here: the constructor runs on an
   * event loop at start, where hashing would block it (~0.3 s at cost 12 on this project's 2-core machine).
   */
  private final String decoy;
  private final int cost;

  PasswordHasher(int cost) {
    this.cost = cost;
    this.decoy = PREHASHED + String.format("$2y$%02d$%s", cost, DECOY_SALT_AND_DIGEST);
  }

  String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return PREHASHED + OpenBSDBCrypt.generate("2y", prehash(password), salt, cost);
  }

  /** The hash an unknown user's password is checked against. */
  String decoy() {
    return decoy;
  }

  /** Whether {@code password} matches {@code hash}; a null hash is checked against a decoy and fails. */
  boolean matches(String hash, String password) {
    String stored = hash == null ? decoy : hash;
    boolean ok = stored.startsWith(PREHASHED)
        ? OpenBSDBCrypt.checkPassword(stored.substring(PREHASHED.length()), prehash(password))
        : OpenBSDBCrypt.checkPassword(stored, password.toCharArray());
    return hash != null && ok;
  }

  private static char[] prehash(String password) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-384").digest(password.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(digest).toCharArray();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-384", e);
    }
  }
}
