package io.courier.client.signal;

/**
 * A message as the app shows it: decrypted, checked and unpadded.
 *
 * @param from the sending Account
 * @param fromDevice the sending Device
 * @param id the sender's message id; ({@code from}, {@code id}) names the message, also for receipts and
 *     {@link SecureMessenger#markRead}
 * @param at server time in ms since the epoch when the message was stored
 * @param plaintext the app's message bytes, as given to {@link SecureMessenger#send}; the array is the app's to keep
 * @param to null for a message sent to this Account; for a copy of a message that another Device of this Account
 *     sent ({@code from} is then this Account), the Account it was sent to: the conversation to show it in. It is
 *     read from inside the ciphertext, so the server cannot change it.
 */
public record DecryptedMessage(String from, int fromDevice, String id, long at, byte[] plaintext, String to) {

  /** Whether this is a copy of a message this Account sent from another Device. */
  public boolean isSync() {
    return to != null;
  }
}
