package io.courier.auth;

import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * bcrypt ({@code $2y$}) through Bouncy Castle's {@link OpenBSDBCrypt}. Deliberately slow: call it off the
 * event loop ({@code executeBlocking}).
 *
 * @implNote bcrypt reads at most 72 bytes of the password; the API caps passwords at 64 characters of which
 * the protocol allows only what fits (see {@link Accounts#MAX_PASSWORD_CHARS}).
 */
final class PasswordHasher {
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
    this.decoy = String.format("$2y$%02d$%s", cost, DECOY_SALT_AND_DIGEST);
  }

  String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, cost);
  }

  /** The hash an unknown user's password is checked against. */
  String decoy() {
    return decoy;
  }

  /** Whether {@code password} matches {@code hash}; a null hash is checked against a decoy and fails. */
  boolean matches(String hash, String password) {
    boolean ok = OpenBSDBCrypt.checkPassword(hash == null ? decoy : hash, password.toCharArray());
    return hash != null && ok;
  }
}
