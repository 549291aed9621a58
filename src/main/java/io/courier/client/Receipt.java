package io.courier.client;

import java.util.List;

/**
 * Ticks for messages this account sent, from a {@code receipt} frame.
 *
 * <p>Receipts are at-least-once and carry state, not events: apply them idempotently, and only move a tick
 * forward (sent, then delivered, then read).
 *
 * @param kind {@link #DELIVERED} or {@link #READ}; later protocol versions may add kinds, which callers should ignore
 * @param by the account that received or read the messages
 * @param byDevice the device of {@code by} that produced the receipt
 * @param ids the message ids the receipt covers (immutable)
 * @param at server time in ms since the epoch when the receipt was stored
 */
public record Receipt(String kind, String by, int byDevice, List<String> ids, long at) {

  /** A recipient device stored the messages (double tick). */
  public static final String DELIVERED = "delivered";

  /** The recipient read the messages (blue tick). */
  public static final String READ = "read";

  public Receipt {
    ids = List.copyOf(ids);
  }
}
