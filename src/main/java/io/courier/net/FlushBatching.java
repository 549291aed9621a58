package io.courier.net;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Lets a connection's writes made in one event-loop turn leave in one system call. Vert.x flushes every write
 * made outside the connection's own read handler, which is where most of our writes come from: a WebSocket's
 * deliveries (a mailbox read or a wake-up answered on the event loop: 100 entries of one read cost 100
 * {@code write} calls), and the commands sent down a pipelined Redis connection (written while another socket's
 * frame or another reply is handled). Netty's {@link FlushConsolidationHandler} at the head of the pipeline turns
 * those flushes into one, at the end of the turn (or after {@value #MAX_PENDING_FLUSHES} flushes); a lone write
 * leaves at the end of its turn, so nothing waits on a timer.
 *
 * @implNote Callers reach the Netty pipeline through Vert.x internals; a connection whose pipeline cannot be
 * reached is left as it is (its writes then leave one by one, which is correct, only slower).
 */
public final class FlushBatching {
  /** Flushes held back at most before one is let through. */
  public static final int MAX_PENDING_FLUSHES = 256;
  private static final String NAME = "courier-flush-batching";

  private FlushBatching() {}

  /** Adds the consolidation to the channel's pipeline; idempotent. */
  public static void install(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, new FlushConsolidationHandler(MAX_PENDING_FLUSHES, true));
    }
  }
}
