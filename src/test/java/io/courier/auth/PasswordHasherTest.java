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
    String bcrypt = hasher.decoy().substring(PasswordHasher.PREHASHED.length());
    assertThat(OpenBSDBCrypt.checkPassword(bcrypt, "any password".toCharArray()))
        .isFalse();
    assertThat(bcrypt).startsWith(String.format("$2y$%02d$", cost)).hasSize(60);
    assertThat(hasher.matches(null, "any password")).isFalse();
  }

  @Test
  void aHashMatchesItsPasswordOnly() {
    PasswordHasher hasher = new PasswordHasher(4);
    String hash = hasher.hash("correct horse");

    assertThat(hash).startsWith("sha384+$2y$04$");
    assertThat(hasher.matches(hash, "correct horse")).isTrue();
    assertThat(hasher.matches(hash, "wrong horse")).isFalse();
  }

  @Test
  void everyByteOfALongPasswordCounts() {
    PasswordHasher hasher = new PasswordHasher(4);
    // 18 four-byte emoji are 72 bytes: all that bcrypt reads of its input.
    String prefix = "\uD83D\uDE00".repeat(18);
    String hash = hasher.hash(prefix + "A");

    assertThat(hasher.matches(hash, prefix + "A")).isTrue();
    assertThat(hasher.matches(hash, prefix + "B")).isFalse();
  }

  @Test
  void hashesWrittenBeforePreHashingStillMatch() {
    PasswordHasher hasher = new PasswordHasher(4);
    byte[] salt = new byte[16];
    String plain = OpenBSDBCrypt.generate("2y", "correct horse".toCharArray(), salt, 4);

    assertThat(hasher.matches(plain, "correct horse")).isTrue();
    assertThat(hasher.matches(plain, "wrong horse")).isFalse();
  }
}
