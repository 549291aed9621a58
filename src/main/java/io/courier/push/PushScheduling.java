package io.courier.push;

import io.courier.config.PushConfig;
import io.courier.metrics.MetricNames;
import io.courier.protocol.DeviceId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.List;

/**
 * What the message path needs to decide that a wake-up is due (the mailbox append, receipts, a route claim or
 * release; docs/ARCHITECTURE.md "Push"), and the queue it then adds the device to. {@link #OFF} when
 * {@code push.enabled} is false: the scripts then get no push keys and do no push work.
 *
 * @param enabled  whether wake-ups are scheduled at all
 * @param receipts whether a receipt alone makes a wake-up due ({@code push.receipts})
 * @param graceMs  {@code push.grace}: the wait after a connection closed with entries unacked
 * @param staleMs  how long a schedule may stay past its due time before it is taken for lost and queued again (the
 *                 node that set it died before it queued it, say): twice {@code push.takeover}, the longest a live
 *                 worker holds an entry
 * @param ttlMs    expiry of a schedule key ({@code mailbox.retention}: nothing is due for longer than entries live)
 * @param queue    the queue the due devices are added to; null when off
 */
public record PushScheduling(boolean enabled, boolean receipts, long graceMs, long staleMs, long ttlMs,
    PushQueue queue) {
  /** Wake-ups that became due (one per device until it is woken, connects or its mailbox empties). */
  private static final Counter DUE = Metrics.counter(MetricNames.name("push.due"));
  /** Messages stored for a device whose wake-up was already due: folded into that one. */
  private static final Counter COALESCED = Metrics.counter(MetricNames.name("push.coalesced"));

  /** No push: nothing is scheduled. */
  public static final PushScheduling OFF = new PushScheduling(false, false, 0, 0, 0, null);

  /** The scheduling of {@code push} on {@code redis}; {@link #OFF} when push is not enabled. */
  public static PushScheduling of(PushConfig push, Duration retention, Redis redis) {
    if (push == null || !push.enabled()) {
      return OFF;
    }
    return new PushScheduling(true, push.receipts(), push.grace().toMillis(), 2 * push.takeover().toMillis(),
        retention.toMillis(), new PushQueue(redis));
  }

  /** Queues a wake-up for each of {@code due} (devices of {@code account}); counts them and the coalesced. */
  public Future<Void> queue(String account, List<Integer> due, int coalesced) {
    if (coalesced > 0) {
      COALESCED.increment(coalesced);
    }
    if (due.isEmpty()) {
      return Future.succeededFuture();
    }
    DUE.increment(due.size());
    return queue.add(account, due, PushQueue.REASON_MESSAGE);
  }

  /** A wake-up became due at {@code at} (ms) for a device whose connection closed or whose route was stale. */
  public Future<Void> later(DeviceId device, long at) {
    DUE.increment();
    return queue.later(device, at);
  }
}
