package io.courier.client.signal;

import java.nio.charset.StandardCharsets;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.fingerprint.NumericFingerprintGenerator;

/**
 * Safety numbers: the 60 digits two users compare to check that no one sits between them, computed by libsignal's
 * {@link NumericFingerprintGenerator} (fingerprint version {@value #VERSION}, {@value #ITERATIONS} iterations), with
 * the account ids (UTF-8) as stable identifiers and the Accounts' identity keys. Both sides get the same number:
 * libsignal orders the two halves.
 */
public final class SafetyNumbers {

  /** The fingerprint format version libsignal is asked for. */
  static final int VERSION = 2;

  /** Hash iterations, as Signal uses. */
  static final int ITERATIONS = 5200;

  private SafetyNumbers() {
  }

  /** The safety number of two Accounts, as 12 groups of 5 digits separated by single spaces. */
  public static String of(String localAccount, IdentityKey localIdentity, String remoteAccount,
      IdentityKey remoteIdentity) {
    String digits = new NumericFingerprintGenerator(ITERATIONS)
        .createFor(VERSION, localAccount.getBytes(StandardCharsets.UTF_8), localIdentity,
            remoteAccount.getBytes(StandardCharsets.UTF_8), remoteIdentity)
        .getDisplayableFingerprint()
        .getDisplayText();
    StringBuilder grouped = new StringBuilder(digits.length() + digits.length() / 5);
    for (int i = 0; i < digits.length(); i += 5) {
      if (i > 0) {
        grouped.append(' ');
      }
      grouped.append(digits, i, Math.min(i + 5, digits.length()));
    }
    return grouped.toString();
  }
}
