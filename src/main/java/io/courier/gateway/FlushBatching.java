package io.courier.gateway;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Lets a WebSocket's writes made in one event-loop turn leave in one system call. Vert.x flushes every frame
 * written outside the socket's own read handler, which is where deliveries come from (a mailbox read or a
 * wake-up answered on the event loop): 100 entries of one read cost 100 {@code write} calls. Netty's
 * {@link FlushConsolidationHandler} at the head of the pipeline turns those flushes into one, at the end of the
 * turn (or after {@value #MAX_PENDING_FLUSHES} flushes); a lone frame leaves at the end of its turn, so nothing
 * waits on a timer.
 *
 * @implNote The caller reaches the Netty pipeline through Vert.x's internal {@code ConnectionBase}; a connection
 * of another kind is left as it is (frames then leave one by one, which is correct, only slower).
 */
final class FlushBatching {
  /** Flushes held back at most before one is let through. */
  static final int MAX_PENDING_FLUSHES = 256;
  private static final String NAME = "courier-flush-batching";

  private FlushBatching() {}

  /** Adds the consolidation to the WebSocket channel's pipeline; idempotent. */
  static void install(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, new FlushConsolidationHandler(MAX_PENDING_FLUSHES, true));
    }
  }
}
