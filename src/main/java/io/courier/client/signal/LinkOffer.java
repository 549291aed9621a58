package io.courier.client.signal;

/**
 * A link offered by an existing Device ({@link SecureMessenger#offerLink()}).
 *
 * @param code the server's one-time link code, for example {@code K7QF-2M9D-XW4A}
 * @param text what the user types on the new Device: {@code <code>#<secret>}; the secret part opens the
 *     provisioning blob and never reaches the server, so show this text only on this Device's screen
 * @param expiresIn seconds until the code stops working
 */
public record LinkOffer(String code, String text, long expiresIn) {

  /** Leaves the secret out, so an offer in a log does not hand out the Account's identity. */
  @Override
  public String toString() {
    return "LinkOffer[code=" + code + ", expiresIn=" + expiresIn + "]";
  }
}
