package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final Duration BASE = Duration.ofMillis(250);
  private static final Duration MAX = Duration.ofSeconds(30);

  @Test
  void backoffDelayStaysWithinZeroAndTheDoublingCeiling() {
    Backoff backoff = new Backoff(BASE, MAX);
    for (int attempt = 0; attempt < 70; attempt++) {
      long ceiling = Math.min(30_000, 250 * (long) Math.pow(2, Math.min(attempt, 20)));
      for (int sample = 0; sample < 200; sample++) {
        assertThat(backoff.delayMillis(attempt)).as("attempt %d", attempt).isBetween(0L, ceiling);
      }
    }
  }

  @Test
  void backoffCeilingDoublesUntilTheMax() {
    Backoff backoff = new Backoff(BASE, MAX);

    assertThat(backoff.ceilingMillis(0)).isEqualTo(250);
    assertThat(backoff.ceilingMillis(1)).isEqualTo(500);
    assertThat(backoff.ceilingMillis(6)).isEqualTo(16_000);
    assertThat(backoff.ceilingMillis(7)).isEqualTo(30_000);
    assertThat(backoff.ceilingMillis(8)).isEqualTo(30_000);
  }

  @Test
  void backoffCeilingDoesNotOverflowForLargeAttempts() {
    Backoff backoff = new Backoff(BASE, MAX);

    assertThat(backoff.ceilingMillis(62)).isEqualTo(30_000);
    assertThat(backoff.ceilingMillis(63)).isEqualTo(30_000);
    assertThat(backoff.ceilingMillis(Integer.MAX_VALUE)).isEqualTo(30_000);
  }

  @Test
  void backoffJitterCoversTheWholeRangeInclusive() {
    Backoff lowest = new Backoff(BASE, MAX, ceiling -> 0);
    Backoff highest = new Backoff(BASE, MAX, ceiling -> ceiling);

    assertThat(lowest.delayMillis(3)).isZero();
    assertThat(highest.delayMillis(3)).isEqualTo(2_000);
  }

  @Test
  void backoffClampsAJitterSourceThatStrays() {
    Backoff strayHigh = new Backoff(BASE, MAX, ceiling -> ceiling + 1);
    Backoff strayLow = new Backoff(BASE, MAX, ceiling -> -1);

    assertThat(strayHigh.delayMillis(0)).isEqualTo(250);
    assertThat(strayLow.delayMillis(0)).isZero();
  }
}
