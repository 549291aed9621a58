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
  /** A valid hash of a random password: checked for unknown users so timing does not reveal who exists. */
  private final String decoy;
  private final int cost;

  PasswordHasher(int cost) {
    this.cost = cost;
    this.decoy = hash("decoy password that nobody has");
  }

  String hash(String password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, cost);
  }

  /** Whether {@code password} matches {@code hash}; a null hash is checked against a decoy and fails. */
  boolean matches(String hash, String password) {
    boolean ok = OpenBSDBCrypt.checkPassword(hash == null ? decoy : hash, password.toCharArray());
    return hash != null && ok;
  }
}
