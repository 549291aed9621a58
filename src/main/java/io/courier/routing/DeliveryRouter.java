package io.courier.routing;

import io.courier.metrics.MetricNames;
import io.courier.mailbox.MailboxRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.push.PushRedisKeys;
import io.courier.push.PushScheduling;
import io.courier.redis.RedisScript;
import io.courier.redis.StoreFailures;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.ResponseType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the connection that holds a device, on any node: each device's live connection is recorded as a route in
 * Redis ({@code routes:{u:A}}, see {@link RoutingRedisKeys}) naming its node, and each node listens on one
 * event-bus address ({@code courier.node.<node id>}); a signal for a device is sent to its node, which hands it
 * to the connection ({@link LocalConnections}). One address per node, not per device, so the cluster's address
 * registry stays as small as the cluster, whatever the number of connections and reconnections.
 *
 * <p>One live connection per device: a connection claims its device ({@code routing_claim.lua}), taking the
 * next epoch and the route; the node of the route it replaced is told to close older connections
 * ({@link Signal.Takeover}). The highest epoch always wins, whatever order the messages arrive in.
 *
 * @implNote Wake-ups are best effort: a signal to a node that just lost the device is dropped, which is safe
 * because a connection always reads its mailbox when it starts. A route to a node that is no longer a cluster
 * member is stale: signals skip it and it is cleared when met.
 */
public final class DeliveryRouter {
  /** Prefix of the per-node event-bus addresses. */
  public static final String NODE_ADDRESS_PREFIX = "courier.node.";
  /** Routes and epochs of a device without connections are forgotten after this long. */
  static final long ROUTE_TTL_SECONDS = 30L * 24 * 3600;
  private static final RedisScript CLAIM = RedisScript.load("routing_claim.lua");
  private static final RedisScript RELEASE = RedisScript.load("routing_release.lua");
  /** Devices woken on another node: how much of the delivery traffic crosses the cluster. */
  private static final Counter REMOTE_WAKEUPS = Metrics.counter(MetricNames.name("wakeups.remote"));

  private final EventBus eventBus;
  private final NodeOutbox outbox;
  private final Redis redis;
  private final Node node;
  private final PushScheduling push;

  /**
   * {@code context}: the event loop this router wakes devices from; wake-ups for other nodes leave at the end of its
   * turns.
   */
  public DeliveryRouter(Vertx vertx, Context context, Redis redis, Node node) {
    this(vertx, context, redis, node, PushScheduling.OFF);
  }

  /**
   * {@code push}: with push on, a claim cancels the device's due wake-up, and a release (or a stale route met)
   * leaves a device with entries in its mailbox a wake-up due after {@code push.grace} (docs/ARCHITECTURE.md
   * "Push").
   */
  public DeliveryRouter(Vertx vertx, Context context, Redis redis, Node node, PushScheduling push) {
    this.eventBus = vertx.eventBus();
    this.outbox = new NodeOutbox(eventBus, context);
    this.redis = redis;
    this.node = node;
    this.push = push;
  }

  static String address(String nodeId) {
    return NODE_ADDRESS_PREFIX + nodeId;
  }

  /**
   * Claims the device's route for a connection about to open, if the device is still listed in
   * {@code devicesKey} (its account's devices hash, keyed by device number: a logged-out device is not): takes the
   * next epoch and the route in one script call, and tells the node of the route it replaced, if another live
   * member, to close the older connection. The connection then {@link #register}s with the epoch; until it has,
   * wake-ups for it are dropped (it reads its mailbox when it starts) and takeovers are kept for it.
   *
   * @return this connection's epoch, or 0 when the device is not listed (nothing was claimed)
   */
  public Future<Long> claim(DeviceId device, String devicesKey) {
    List<String> keys = push.enabled()
        ? List.of(RoutingRedisKeys.epoch(device), RoutingRedisKeys.routes(device.account()), devicesKey,
            PushRedisKeys.schedule(device))
        : List.of(RoutingRedisKeys.epoch(device), RoutingRedisKeys.routes(device.account()), devicesKey);
    return CLAIM.run(redis, keys, List.of(Integer.toString(device.device()), node.id(), Long.toString(ROUTE_TTL_SECONDS)))
        .recover(StoreFailures::unavailable)
        .map(reply -> {
          long epoch = reply.get(0).toLong();
          String previousNode = nodeOf(reply.get(1).toString());
          if (epoch > 0 && previousNode != null && !previousNode.equals(node.id()) && node.isMember(previousNode)) {
            eventBus.send(address(previousNode), NodeMessages.takeover(device, epoch));
          }
          return epoch;
        });
  }

  /**
   * Makes the connection that {@link #claim}ed {@code epoch} the device's connection on this node; {@code handler}
   * runs on the caller's context. An older connection of the device here is told to close.
   */
  public void register(DeviceId device, long epoch, Handler<Signal> handler) {
    node.connections().register(device, epoch, Vertx.currentContext(), handler);
  }

  /** The connection with {@code epoch} has closed: forget it here and, unless replaced, its route. */
  public void release(DeviceId device, long epoch) {
    node.connections().unregister(device, epoch);
    forget(device, node.id() + " " + epoch, push.graceMs());
  }

  /**
   * Tells the devices' connections, wherever they are, that their mailboxes have new entries; {@code routes} are
   * their routes as the mailbox read them while appending ({@code ""}: not connected), {@code wakes} what each
   * is handed, on this node or, through the event bus, on another (entries and all; those for one node leave
   * together at the end of this event-loop turn, {@link NodeOutbox}).
   */
  public void wake(String account, List<Integer> devices, List<String> routes, List<Signal.Wake> wakes) {
    Map<String, Map<Integer, Signal.Wake>> remote = new LinkedHashMap<>();
    for (int i = 0; i < devices.size(); i++) {
      String route = routes.get(i);
      if (route.isEmpty()) {
        continue;
      }
      String nodeId = nodeOf(route);
      if (node.id().equals(nodeId)) {
        node.connections().deliver(new DeviceId(account, devices.get(i)), wakes.get(i));
      } else if (node.isMember(nodeId)) {
        remote.computeIfAbsent(nodeId, n -> new LinkedHashMap<>()).put(devices.get(i), wakes.get(i));
      } else {
        // A dead node's connection: gone, so a device with entries waiting is woken now.
        forget(new DeviceId(account, devices.get(i)), route, 0);
      }
    }
    remote.forEach((nodeId, nodeWakes) -> {
      outbox.send(nodeId, NodeMessages.entries(account, nodeWakes));
      REMOTE_WAKEUPS.increment(nodeWakes.size());
    });
  }

  /** Tells the device's connection, wherever it is, that the device is gone. */
  public void loggedOut(DeviceId device) {
    node.connections().deliver(device, Signal.LOGGED_OUT);
    redis.send(Request.cmd(Command.HGET).arg(RoutingRedisKeys.routes(device.account())).arg(device.device()))
        .onSuccess(route -> {
          String nodeId = route == null ? null : nodeOf(route.toString());
          if (nodeId != null && !nodeId.equals(node.id())) {
            eventBus.send(address(nodeId), NodeMessages.logout(device));
          }
        });
  }

  /**
   * Forgets {@code route} if it is still the device's; with push on, a device left with entries in its mailbox and a
   * push target gets a wake-up due {@code delayMs} later, unless one is due already.
   */
  private void forget(DeviceId device, String route, long delayMs) {
    if (!push.enabled()) {
      RELEASE.run(redis, List.of(RoutingRedisKeys.routes(device.account())),
          List.of(Integer.toString(device.device()), route));
      return;
    }
    RELEASE.run(redis, List.of(RoutingRedisKeys.routes(device.account()), MailboxRedisKeys.mailbox(device),
            PushRedisKeys.target(device), PushRedisKeys.schedule(device)),
            List.of(Integer.toString(device.device()), route, Long.toString(delayMs), Long.toString(push.staleMs()),
                Long.toString(push.ttlMs())))
        .onSuccess(reply -> {
          if (reply.type() == ResponseType.MULTI && reply.size() == 2) {
            push.later(device, reply.get(1).toLong());
          }
        });
  }

  private static String nodeOf(String route) {
    int space = route.indexOf(' ');
    return space <= 0 ? null : route.substring(0, space);
  }
}
