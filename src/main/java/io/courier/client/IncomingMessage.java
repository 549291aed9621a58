package io.courier.client;

/**
 * One envelope delivered to this device, from a {@code message} frame.
 *
 * @param entry the mailbox entry id; the client acks it, callers rarely need it
 * @param id the sender's message id; ({@code from}, {@code id}) names the message across redeliveries
 * @param from the sending account
 * @param fromDevice the sending device
 * @param at server time in ms since the epoch when the message was stored
 * @param ciphertext the opaque ciphertext, decoded from base64; the array is not copied, so do not change it
 * @param to for a copy of a message another device of this account sent ({@code sync}), the account that message
 *     went to (the conversation); null for a message sent to this account
 */
public record IncomingMessage(String entry, String id, String from, int fromDevice, long at, byte[] ciphertext,
    String to) {

  /** A message sent to this account (no {@code to}). */
  public IncomingMessage(String entry, String id, String from, int fromDevice, long at, byte[] ciphertext) {
    this(entry, id, from, fromDevice, at, ciphertext, null);
  }
}
