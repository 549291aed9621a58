package io.courier.client;

/**
 * What a {@link CourierClient} tells the app. Every method has a no-op default, so implement only what you need.
 *
 * <p>All methods are called on the client's Vert.x context, one at a time, in the order the events happened; do
 * not block in them. An exception thrown from {@link #onMessage} or {@link #onReceipt} means "not stored": the
 * entry is not acked and comes again on a later connection. Exceptions from the other methods are logged and
 * otherwise ignored.
 */
public interface ClientListener {

  /** A listener that ignores everything. */
  ClientListener NONE = new ClientListener() {
  };

  /** The socket is open, and every unconfirmed request has been written to it again. */
  default void onConnected() {
  }

  /**
   * A message that was not seen before (per (from, id), within the dedup window). Return normally only once the
   * message is stored: the client then acks it, and the server sends the delivered receipt to the sender.
   */
  default void onMessage(IncomingMessage message) {
  }

  /** Ticks for messages this account sent; may repeat, so apply idempotently. Return normally to ack it. */
  default void onReceipt(Receipt receipt) {
  }

  /** The mailbox backlog that existed when this connection opened has been delivered (once per connection). */
  default void onDrained() {
  }

  /**
   * An error that no pending request is waiting for: an {@code error} frame without a matching id (for example
   * {@code UNKNOWN_ENTRY} for an ack), a server frame the client cannot read, or the reason the client stopped
   * without a close frame (a refused handshake such as {@code TOKEN_REVOKED}, or a token source failure).
   */
  default void onError(String code, String message) {
  }

  /**
   * The socket closed.
   *
   * @param code the close code (PROTOCOL.md §6); 1006 when the connection dropped without a close frame
   * @param reason the close reason, or "" when there was none
   * @param willReconnect {@code true} when the client will reconnect by itself; {@code false} after
   *     {@link CourierClient#close()}, 4403 (logged out) and 4409 (connected elsewhere)
   */
  default void onClosed(int code, String reason, boolean willReconnect) {
  }
}
