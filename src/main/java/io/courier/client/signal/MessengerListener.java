package io.courier.client.signal;

import io.courier.client.Receipt;

/**
 * What a {@link SecureMessenger} tells the app. Every method has a no-op default.
 *
 * <p>All methods are called on the messenger's Vert.x context, one at a time, in the order the events happened; do
 * not block in them. An exception thrown from {@link #onMessage} or {@link #onReceipt} means "not stored": the entry
 * is not acked, comes again on a later connection, and the same decrypted message is handed over again (held in
 * memory, since a Signal ciphertext can be decrypted only once). Exceptions from the other methods are logged and
 * otherwise ignored.
 */
public interface MessengerListener {

  /** A listener that ignores everything. */
  MessengerListener NONE = new MessengerListener() {
  };

  /** A decrypted message that was not seen before. Return normally once it is stored; the entry is then acked. */
  default void onMessage(DecryptedMessage message) {
  }

  /**
   * A message that could not be decrypted or read (no session, a bad MAC, an unknown format, a sync copy from
   * another Account ...). It is acked anyway, so it does not block the Mailbox, as in Signal.
   *
   * @param reason a short text for logs
   */
  default void onUndecryptable(String from, int fromDevice, String id, String reason) {
  }

  /**
   * A Device of {@code account} presents an identity key other than the accepted one: the contact re-registered,
   * or someone is in the middle. Called before anything is sent to it. By default sends to {@code account} then
   * fail with {@link SecureMessenger#IDENTITY_CHANGED} until the app calls {@link SecureMessenger#trust(String)}.
   *
   * @param safetyNumber the safety number with the new identity, to compare with the contact's
   */
  default void onIdentityChanged(String account, String safetyNumber) {
  }

  /** Ticks for messages this Account sent, passed through; return normally to ack it. */
  default void onReceipt(Receipt receipt) {
  }

  /** The socket is open (again). */
  default void onConnected() {
  }

  /** The Mailbox backlog that existed when this connection opened has been delivered. */
  default void onDrained() {
  }

  /** An error no request waits for, passed through from the transport. */
  default void onError(String code, String message) {
  }

  /** The socket closed; see {@link io.courier.client.ClientListener#onClosed}. */
  default void onClosed(int code, String reason, boolean willReconnect) {
  }
}
