package io.courier.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongUnaryOperator;

/**
 * Exponential backoff with full jitter: the delay before retry number {@code attempt} (from 0) is uniform in
 * {@code [0, min(max, base * 2^attempt)]}.
 *
 * <p>Stateless: callers keep their own attempt count and reset it after a success. Full jitter spreads the
 * reconnects of many clients after a server restart (close 1001) instead of moving them in waves.
 */
final class Backoff {

  private final long baseMillis;
  private final long maxMillis;
  /** Maps an inclusive ceiling {@code c} to a value in {@code [0, c]}; a seam for tests. */
  private final LongUnaryOperator jitter;

  Backoff(Duration base, Duration max) {
    this(base, max, ceiling -> ThreadLocalRandom.current().nextLong(ceiling + 1));
  }

  Backoff(Duration base, Duration max, LongUnaryOperator jitter) {
    this.baseMillis = base.toMillis();
    this.maxMillis = max.toMillis();
    this.jitter = jitter;
    if (baseMillis <= 0 || maxMillis < baseMillis) {
      throw new IllegalArgumentException("backoff needs 0 < base <= max, got " + base + " and " + max);
    }
  }

  /** The upper bound for retry number {@code attempt}: {@code min(max, base * 2^attempt)}, without overflow. */
  long ceilingMillis(int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt < 0: " + attempt);
    }
    if (attempt >= Long.SIZE - 1 || baseMillis > (maxMillis >> attempt)) {
      return maxMillis;
    }
    return Math.min(maxMillis, baseMillis << attempt);
  }

  /** A random delay in ms for retry number {@code attempt}, in {@code [0, ceilingMillis(attempt)]}. */
  long delayMillis(int attempt) {
    long ceiling = ceilingMillis(attempt);
    return Math.max(0, Math.min(ceiling, jitter.applyAsLong(ceiling)));
  }
}
