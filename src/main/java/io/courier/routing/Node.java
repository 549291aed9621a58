package io.courier.routing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * This server node as routing sees it: its id (the cluster's node id when clustered), the devices connected here,
 * and which nodes are alive. {@link #listen} receives the other nodes' signals on this node's address.
 *
 * @param id          this node's id
 * @param connections the devices connected here
 * @param members     the ids of the nodes alive now
 */
public record Node(String id, LocalConnections connections, Supplier<Collection<String>> members) {

  /** A node alone (no cluster). */
  public static Node standalone() {
    String id = "local-" + UUID.randomUUID();
    return new Node(id, new LocalConnections(), () -> Set.of(id));
  }

  /** A member of the cluster that {@code manager} joined. */
  public static Node clustered(ClusterManager manager) {
    return new Node(manager.getNodeId(), new LocalConnections(), manager::getNodes);
  }

  boolean isMember(String nodeId) {
    return nodeId != null && (nodeId.equals(id) || members.get().contains(nodeId));
  }

  /** Starts receiving signals for the devices connected here; completes once registered cluster-wide. */
  public Future<MessageConsumer<String>> listen(Vertx vertx) {
    MessageConsumer<String> consumer = vertx.eventBus().consumer(DeliveryRouter.address(id), message -> {
      for (NodeMessages.Delivery delivery : NodeMessages.decodeAll(message.body())) {
        delivery.signals().forEach(connections::deliver);
      }
    });
    return consumer.completion().map(consumer);
  }
}
