package io.courier.client;

/**
 * The server's confirmation of a {@code send}: every envelope of the message is durable (the single tick).
 *
 * @param id the message id, as chosen by the sender
 * @param at server time in ms since the epoch when the message was stored; a repeated send with the same id
 *     within the server's dedup window gets the time of the first store
 */
public record Sent(String id, long at) {
}
