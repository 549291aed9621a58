package io.courier.routing;

import io.courier.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Context;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.internal.ContextInternal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Node messages for other nodes, collected while one event-loop turn runs and sent at its end as one event-bus
 * message per node ({@link NodeMessages#batch}). The clustered event bus writes and flushes every message it sends:
 * one {@code send} system call here and one read on the other node for each. Under load one turn handles many Redis
 * replies (one read of the pipelined connection), so a node's wake-ups for one other node leave together.
 *
 * <p>Messages keep their order: those of one turn in the batch, batches in the order of the turns, and the event
 * bus keeps the order of one sender's messages to one node. Called off the owning event loop (not done today), a
 * message is sent at once.
 */
final class NodeOutbox {
  /** Event-bus messages carrying wake-ups to other nodes: against {@code wakeups.remote}, how well batches fill. */
  private static final Counter SENT = Metrics.counter(MetricNames.name("node.messages.sent"));

  private final EventBus eventBus;
  private final ContextInternal context;
  private final Map<String, List<String>> pending = new LinkedHashMap<>();

  NodeOutbox(EventBus eventBus, Context context) {
    this.eventBus = eventBus;
    this.context = (ContextInternal) context;
  }

  void send(String nodeId, String message) {
    if (!context.inThread()) {
      eventBus.send(DeliveryRouter.address(nodeId), message);
      SENT.increment();
      return;
    }
    if (pending.isEmpty()) {
      // runs after the I/O events of this turn, like the flush of the WebSocket and Redis writes (FlushBatching)
      context.runOnContext(v -> flush());
    }
    pending.computeIfAbsent(nodeId, n -> new ArrayList<>()).add(message);
  }

  private void flush() {
    pending.forEach((nodeId, messages) -> eventBus.send(DeliveryRouter.address(nodeId), NodeMessages.batch(messages)));
    SENT.increment(pending.size());
    pending.clear();
  }
}
