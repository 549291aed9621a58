package io.courier.routing;

import io.courier.protocol.DeviceId;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The devices connected to this node, shared by its gateway instances: which connection holds each, with its
 * epoch, and how to reach it (its context and signal handler). Signals are handed over on the connection's own
 * context. Thread-safe.
 */
public final class LocalConnections {
  /** Bound on remembered early takeovers; past it they are dropped (the race they cover is milliseconds long). */
  private static final int MAX_EARLY_TAKEOVERS = 10_000;

  private final ConcurrentHashMap<DeviceId, Holder> holders = new ConcurrentHashMap<>();
  /**
   * Takeovers that arrived for a device before its connection here had registered (its claim was answered, the
   * registration not yet done): the registration applies them.
   */
  private final ConcurrentHashMap<DeviceId, Long> earlyTakeovers = new ConcurrentHashMap<>();

  /** One registered connection. */
  private record Holder(long epoch, Context context, Handler<Signal> handler) {}

  /**
   * Registers the connection with {@code epoch}; an older connection of the device here is told to close
   * ({@link Signal.Takeover}), and if a newer one is here already, the new one is told instead.
   */
  void register(DeviceId device, long epoch, Context context, Handler<Signal> handler) {
    Holder mine = new Holder(epoch, context, handler);
    Holder[] displaced = new Holder[1];
    holders.compute(device, (d, current) -> {
      if (current == null || current.epoch() < epoch) {
        displaced[0] = current;
        return mine;
      }
      displaced[0] = mine;
      return current;
    });
    Long early = earlyTakeovers.remove(device);
    if (early != null && early > epoch) {
      context.runOnContext(v -> handler.handle(new Signal.Takeover(early)));
    }
    Holder loser = displaced[0];
    if (loser != null) {
      long winner = Math.max(epoch, loser.epoch());
      loser.context().runOnContext(v -> loser.handler().handle(new Signal.Takeover(winner)));
    }
  }

  /** Forgets the connection with {@code epoch}, unless a newer one replaced it. */
  void unregister(DeviceId device, long epoch) {
    holders.computeIfPresent(device, (d, current) -> current.epoch() == epoch ? null : current);
  }

  /** Hands {@code signal} to the device's connection here, if there is one. */
  void deliver(DeviceId device, Signal signal) {
    Holder holder = holders.get(device);
    if (holder != null) {
      holder.context().runOnContext(v -> holder.handler().handle(signal));
    } else if (signal instanceof Signal.Takeover takeover && earlyTakeovers.size() < MAX_EARLY_TAKEOVERS) {
      earlyTakeovers.merge(device, takeover.epoch(), Math::max);
    }
  }

  /** Number of connected devices on this node. */
  public int size() {
    return holders.size();
  }
}
