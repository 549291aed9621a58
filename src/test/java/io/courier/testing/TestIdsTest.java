package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Self-tests of {@link TestIds}. */
class TestIdsTest {
  @Test
  void uniqueNamesMatchTheAccountNameRuleAndNeverRepeat() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String name = TestIds.unique("alice");
      assertThat(name).startsWith("alice-").matches(TestIds.ACCOUNT_NAME);
      names.add(name);
    }
    assertThat(names).hasSize(10_000);
  }

  @Test
  void oddBasesAreCleanedIntoValidNames() {
    assertThat(TestIds.unique("Bob Smith!")).startsWith("bobsmith-").matches(TestIds.ACCOUNT_NAME);
    assertThat(TestIds.unique("__x")).startsWith("x-").matches(TestIds.ACCOUNT_NAME);
    assertThat(TestIds.unique("")).startsWith("u-").matches(TestIds.ACCOUNT_NAME);
  }

  @Test
  void longBasesAreCutToThirtyTwoCharacters() {
    String name = TestIds.unique("a".repeat(100));

    assertThat(name).hasSize(TestIds.MAX_LENGTH).matches(TestIds.ACCOUNT_NAME);
  }
}
