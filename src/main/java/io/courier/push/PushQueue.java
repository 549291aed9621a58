package io.courier.push;

import io.courier.protocol.DeviceId;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.List;

/**
 * Adds due wake-ups to the push queue ({@code pushq:{push}}, read by every node's {@link PushWorker}) and
 * wake-ups due later to {@code pushlater:{push}} (keys in {@link PushRedisKeys}).
 *
 * <p>Called by the node that decided, in the device's own slot, that a wake-up is due (the mailbox append, a route
 * release): the queue has a slot of its own, so it cannot be written in the same script.
 */
public final class PushQueue {
  /** Why a wake-up is due, as the queue entry's {@code r} field says: a message was stored for the device. */
  public static final String REASON_MESSAGE = "message";
  /** The device's connection closed with entries unacked (after {@code push.grace}), or its route was stale. */
  public static final String REASON_CLOSED = "closed";

  private final Redis redis;

  public PushQueue(Redis redis) {
    this.redis = redis;
  }

  /** Queues one wake-up for each of {@code devices} of {@code account}, in one pipelined trip. */
  public Future<Void> add(String account, List<Integer> devices, String reason) {
    if (devices.size() == 1) {
      return redis.send(xadd(account, devices.get(0), reason)).mapEmpty();
    }
    List<Request> adds = new ArrayList<>(devices.size());
    for (int device : devices) {
      adds.add(xadd(account, device, reason));
    }
    return redis.batch(adds).mapEmpty();
  }

  /** Makes {@code device}'s wake-up due at {@code at} (ms, Redis time); a later call for it moves it. */
  public Future<Void> later(DeviceId device, long at) {
    return redis.send(Request.cmd(Command.ZADD).arg(PushRedisKeys.later()).arg(at).arg(member(device)))
        .mapEmpty();
  }

  /** The member of {@code pushlater:{push}} for {@code device}: {@code A:D} (account names have no colon). */
  static String member(DeviceId device) {
    return device.account() + ":" + device.device();
  }

  private static Request xadd(String account, int device, String reason) {
    return Request.cmd(Command.XADD).arg(PushRedisKeys.queue()).arg("*")
        .arg("a").arg(account).arg("d").arg(device).arg("r").arg(reason);
  }
}
