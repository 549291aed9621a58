package io.courier.push;

import io.courier.metrics.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The push workers' meters ({@code courier.push.*}; {@code due} and {@code coalesced} are counted where wake-ups are
 * scheduled, {@link PushScheduling}). Counters tagged with a target kind or a reason are looked up per event:
 * Micrometer keeps one per tag set, and wake-ups are rare next to messages.
 */
final class PushMetrics {
  /** Tag: why a wake-up was cancelled, retried, failed or its target removed. */
  static final String TAG_REASON = MetricNames.TAG_REASON;
  /** Tag: the target's kind ({@code apns}, {@code fcm}, {@code webpush}). */
  static final String TAG_KIND = MetricNames.TAG_KIND;
  /** Wake-ups deferred to the end of a window (one was sent within it) or a retry's wait. */
  static final Counter DEFERRED = Metrics.counter(MetricNames.name("push.deferred"));
  /** Wake-ups a worker took over from another node's worker that did not settle them in time. */
  static final Counter TAKEN_OVER = Metrics.counter(MetricNames.name("push.takenover"));
  /** Unsettled entries in the queue (not yet read, or read and not acked), as last measured. */
  private static final AtomicLong DEPTH = new AtomicLong();
  /** Wake-ups waiting in {@code pushlater:{push}} (window ends, graces, retries), as last measured. */
  private static final AtomicLong LATER = new AtomicLong();
  /** Age in ms of the oldest unsettled queue entry, as last measured (0 when none). */
  private static final AtomicLong OLDEST_AGE = new AtomicLong();

  static {
    Gauge.builder(MetricNames.name("push.queue.depth"), DEPTH, AtomicLong::get).register(Metrics.globalRegistry);
    Gauge.builder(MetricNames.name("push.queue.later"), LATER, AtomicLong::get).register(Metrics.globalRegistry);
    Gauge.builder(MetricNames.name("push.queue.age"), OLDEST_AGE, a -> a.get() / 1000.0).baseUnit("seconds")
        .register(Metrics.globalRegistry);
  }

  private PushMetrics() {}

  static void sent(String kind) {
    Metrics.counter(MetricNames.name("push.sent"), TAG_KIND, kind).increment();
  }

  static void retried(String kind, String reason) {
    Metrics.counter(MetricNames.name("push.retried"), TAG_KIND, kind, TAG_REASON, reason).increment();
  }

  static void failed(String kind, String reason) {
    Metrics.counter(MetricNames.name("push.failed"), TAG_KIND, kind, TAG_REASON, reason).increment();
  }

  static void targetRemoved(String kind, String reason) {
    Metrics.counter(MetricNames.name("push.targets.removed"), TAG_KIND, kind, TAG_REASON, reason).increment();
  }

  /** {@code reason}: {@code none}, {@code online}, {@code untargeted}, {@code empty}, {@code busy}. */
  static void cancelled(String reason) {
    Metrics.counter(MetricNames.name("push.cancelled"), TAG_REASON, reason).increment();
  }

  static void queue(long depth, long later, long oldestAgeMs) {
    DEPTH.set(depth);
    LATER.set(later);
    OLDEST_AGE.set(oldestAgeMs);
  }
}
