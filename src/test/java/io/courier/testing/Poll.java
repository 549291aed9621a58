package io.courier.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for a condition with a deadline, instead of sleeping for a guessed time (STYLE 4.6.6).
 *
 * <p>The condition is checked at once, then every {@link #INTERVAL} until it holds or the timeout
 * passes; then an {@link AssertionError} carries the caller's description of what did not happen.
 * Exceptions thrown by the condition are not caught: they end the wait at once.
 */
public final class Poll {
  /** Pause between two checks: short enough to keep tests quick, long enough not to spin a core. */
  static final Duration INTERVAL = Duration.ofMillis(15);

  private Poll() {
  }

  /**
   * Returns as soon as {@code condition} holds.
   *
   * @throws AssertionError after {@code timeout}, with "after N ms: " plus {@code whatFailed}
   */
  public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> whatFailed) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      failIfPast(deadline, timeout, whatFailed);
      pause(whatFailed);
    }
  }

  /**
   * Probes a value until {@code accepted} holds for it, and returns that value.
   *
   * @throws AssertionError after {@code timeout}; the message ends with the last value probed
   */
  public static <T> T untilValue(
      Duration timeout, Supplier<T> probe, Predicate<? super T> accepted, Supplier<String> whatFailed) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (accepted.test(value)) {
        return value;
      }
      failIfPast(deadline, timeout, () -> whatFailed.get() + " (last value: " + value + ")");
      pause(whatFailed);
    }
  }

  private static void failIfPast(long deadline, Duration timeout, Supplier<String> whatFailed) {
    if (System.nanoTime() - deadline >= 0) {
      throw new AssertionError("after " + timeout.toMillis() + " ms: " + whatFailed.get());
    }
  }

  private static void pause(Supplier<String> whatFailed) {
    try {
      Thread.sleep(INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting: " + whatFailed.get(), e);
    }
  }
}
