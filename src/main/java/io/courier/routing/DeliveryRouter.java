package io.courier.routing;

import io.courier.protocol.DeviceId;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.List;

/**
 * Finds the connection that holds a device: each live connection consumes its device's event-bus address
 * ({@code courier.device.<account>.<device>}), and any node signals it there ({@link Signal}). With a clustered
 * Vert.x the same addresses span the cluster, so only the event bus transport changes.
 *
 * <p>One live connection per device: a starting connection takes the next epoch from
 * {@code conn:{u:A}:D} (INCR) and publishes {@link Signal.Takeover}; every connection of the device with a lower
 * epoch closes itself. The highest epoch always wins, whatever order the signals arrive in.
 *
 * @implNote Wake-ups are best effort: a signal published while no connection is registered is dropped, which
 * is safe because a connection always reads its mailbox when it starts.
 */
public final class DeliveryRouter {
  /** Prefix of the per-device event-bus addresses. */
  public static final String DEVICE_ADDRESS_PREFIX = "courier.device.";
  /** The epoch counter of an idle device is forgotten after this long (a fresh start at 1 is fine). */
  private static final long EPOCH_TTL_SECONDS = 30L * 24 * 3600;

  private final EventBus eventBus;
  private final Redis redis;

  public DeliveryRouter(Vertx vertx, Redis redis) {
    this.eventBus = vertx.eventBus();
    this.redis = redis;
  }

  public static String address(DeviceId device) {
    return DEVICE_ADDRESS_PREFIX + device.account() + "." + device.device();
  }

  /** Starts receiving {@code device}'s signals; completes once the registration is in place. */
  public Future<MessageConsumer<String>> register(DeviceId device, Handler<Signal> handler) {
    MessageConsumer<String> consumer = eventBus.consumer(address(device), m -> handler.handle(Signal.decode(m.body())));
    return consumer.completion().map(consumer);
  }

  /** The next connection epoch of {@code device}. */
  public Future<Long> nextEpoch(DeviceId device) {
    String key = "conn:{u:" + device.account() + "}:" + device.device();
    // One pipelined round trip for both commands.
    return redis.batch(List.of(Request.cmd(Command.INCR).arg(key),
            Request.cmd(Command.EXPIRE).arg(key).arg(EPOCH_TTL_SECONDS)))
        .map(replies -> replies.get(0).toLong())
        .recover(StoreFailures::unavailable);
  }

  public void signal(DeviceId device, Signal signal) {
    eventBus.publish(address(device), Signal.encode(signal));
  }
}
