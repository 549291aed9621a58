package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {

  @ParameterizedTest
  @ValueSource(ints = {4, 12})
  void theDecoyIsAWellFormedHashOfTheConfiguredCostThatNoPasswordMatches(int cost) {
    PasswordHasher hasher = new PasswordHasher(cost);

    // A malformed decoy would make checkPassword throw instead of answering.
    assertThat(OpenBSDBCrypt.checkPassword(hasher.decoy(), "any password".toCharArray()))
        .isFalse();
    assertThat(hasher.decoy()).startsWith(String.format("$2y$%02d$", cost)).hasSize(60);
    assertThat(hasher.matches(null, "any password")).isFalse();
  }

  @Test
  void aHashMatchesItsPasswordOnly() {
    PasswordHasher hasher = new PasswordHasher(4);
    String hash = hasher.hash("correct horse");

    assertThat(hash).startsWith("$2y$04$");
    assertThat(hasher.matches(hash, "correct horse")).isTrue();
    assertThat(hasher.matches(hash, "wrong horse")).isFalse();
  }
}
