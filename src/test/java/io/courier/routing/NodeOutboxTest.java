package io.courier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.metrics.MetricNames;
import io.courier.protocol.DeviceId;
import io.courier.testing.Poll;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Wake-ups for other nodes leave once per event-loop turn and node, in order, on a real (local) event bus. */
class NodeOutboxTest {
  private final Vertx vertx = Vertx.vertx();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  NodeOutboxTest() {
    Metrics.addRegistry(registry);
  }
  private final List<String> toN1 = new CopyOnWriteArrayList<>();
  private final List<String> toN2 = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    Metrics.removeRegistry(registry);
    vertx.close().await();
  }

  @Test
  void theMessagesOfOneTurnLeaveAsOneEventBusMessagePerNode() {
    Context loop = listen();
    NodeOutbox outbox = new NodeOutbox(vertx.eventBus(), loop);
    double sentBefore = sent();
    loop.runOnContext(v -> {
      outbox.send("n1", "entries {\"a\":\"bob\",\"w\":[{\"d\":1}]}");
      outbox.send("n2", "entries {\"a\":\"carol\",\"w\":[{\"d\":1}]}");
      outbox.send("n1", "entries {\"a\":\"dave\",\"w\":[{\"d\":2}]}");
    });
    Poll.until(Duration.ofSeconds(5), () -> toN1.size() + toN2.size() >= 2, () -> "n1 " + toN1 + ", n2 " + toN2);
    assertThat(toN1).containsExactly(
        "batch\nentries {\"a\":\"bob\",\"w\":[{\"d\":1}]}\nentries {\"a\":\"dave\",\"w\":[{\"d\":2}]}");
    assertThat(toN2).as("one message goes as it is").containsExactly("entries {\"a\":\"carol\",\"w\":[{\"d\":1}]}");
    assertThat(sent() - sentBefore).as("event-bus messages counted").isEqualTo(2);
    assertThat(NodeMessages.decodeAll(toN1.get(0))).extracting(d -> d.signals().keySet().iterator().next().account())
        .containsExactly("bob", "dave");

    loop.runOnContext(v -> outbox.send("n1", "entries {\"a\":\"erin\",\"w\":[{\"d\":1}]}"));
    Poll.until(Duration.ofSeconds(5), () -> toN1.size() >= 2, () -> "n1 " + toN1);
    assertThat(toN1.get(1)).as("a later turn, a message of its own")
        .isEqualTo("entries {\"a\":\"erin\",\"w\":[{\"d\":1}]}");
  }

  @Test
  void offItsEventLoopAMessageLeavesAtOnce() {
    Context loop = listen();
    NodeOutbox outbox = new NodeOutbox(vertx.eventBus(), loop);
    outbox.send("n1", "entries {\"a\":\"bob\",\"w\":[{\"d\":1}]}");
    outbox.send("n1", "entries {\"a\":\"dave\",\"w\":[{\"d\":1}]}");
    Poll.until(Duration.ofSeconds(5), () -> toN1.size() >= 2, () -> "n1 " + toN1);
    assertThat(toN1).containsExactly("entries {\"a\":\"bob\",\"w\":[{\"d\":1}]}",
        "entries {\"a\":\"dave\",\"w\":[{\"d\":1}]}");
  }

  @Test
  void aNodeThatDoesNotKnowBatchesDropsThemWithoutActingOnAnyPart() {
    String batch = NodeMessages.batch(List.of(NodeMessages.logout(new DeviceId("bob", 1)),
        NodeMessages.logout(new DeviceId("bob", 2))));
    // what decode() made of a batch before batches existed: the first word is no kind it knows
    assertThat(NodeMessages.decode(batch).signals()).isEmpty();
    assertThat(NodeMessages.decodeAll(batch)).hasSize(2);
  }

  /** {@code courier_node_messages_sent_total}; counted only when a registry is installed, as the server does. */
  private double sent() {
    return registry.counter(MetricNames.name("node.messages.sent")).count();
  }

  /** Consumers for nodes n1 and n2 on this Vert.x; returns an event-loop context for the outbox. */
  private Context listen() {
    vertx.eventBus().<String>consumer(DeliveryRouter.address("n1"), m -> toN1.add(m.body())).completion().await();
    vertx.eventBus().<String>consumer(DeliveryRouter.address("n2"), m -> toN2.add(m.body())).completion().await();
    return vertx.getOrCreateContext();
  }
}
