package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Self-tests of {@link Poll}. */
class PollTest {
  private static final Duration LONG = Duration.ofSeconds(5);
  private static final Duration SHORT = Duration.ofMillis(50);

  @Test
  void untilReturnsAsSoonAsTheConditionHolds() {
    AtomicInteger checks = new AtomicInteger();

    Poll.until(LONG, () -> checks.incrementAndGet() >= 3, () -> "never reached three");

    assertThat(checks).hasValue(3);
  }

  @Test
  void untilFailsWithTheDescriptionAfterTheDeadline() {
    assertThatThrownBy(() -> Poll.until(SHORT, () -> false, () -> "the mailbox never filled"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("after 50 ms: the mailbox never filled");
  }

  @Test
  void untilValueReturnsTheFirstAcceptedValue() {
    AtomicInteger length = new AtomicInteger();

    int value = Poll.untilValue(LONG, length::incrementAndGet, v -> v >= 4, () -> "stream too short");

    assertThat(value).isEqualTo(4);
  }

  @Test
  void untilValueReportsTheLastValueWhenItGivesUp() {
    assertThatThrownBy(() -> Poll.untilValue(SHORT, () -> 2L, v -> v == 3L, () -> "XLEN never reached 3"))
        .isInstanceOf(AssertionError.class)
        .hasMessage("after 50 ms: XLEN never reached 3 (last value: 2)");
  }

  @Test
  void exceptionsFromTheConditionEndTheWaitAtOnce() {
    assertThatThrownBy(() -> Poll.until(LONG, () -> {
      throw new IllegalStateException("broken probe");
    }, () -> "unused")).isInstanceOf(IllegalStateException.class).hasMessage("broken probe");
  }
}
