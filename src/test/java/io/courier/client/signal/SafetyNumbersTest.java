package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;

class SafetyNumbersTest {

  final IdentityKey alice = IdentityKeyPair.generate().getPublicKey();
  final IdentityKey bob = IdentityKeyPair.generate().getPublicKey();

  @Test
  void bothSidesComputeTheSameTwelveGroupsOfFiveDigits() {
    String aliceSees = SafetyNumbers.of("alice", alice, "bob", bob);
    String bobSees = SafetyNumbers.of("bob", bob, "alice", alice);

    assertThat(aliceSees).isEqualTo(bobSees).matches("(\\d{5} ){11}\\d{5}");
  }

  @Test
  void theNumberChangesWhenEitherIdentityChanges() {
    String before = SafetyNumbers.of("alice", alice, "bob", bob);
    IdentityKey newBob = IdentityKeyPair.generate().getPublicKey();
    IdentityKey newAlice = IdentityKeyPair.generate().getPublicKey();

    assertThat(SafetyNumbers.of("alice", alice, "bob", newBob)).isNotEqualTo(before);
    assertThat(SafetyNumbers.of("alice", newAlice, "bob", bob)).isNotEqualTo(before);
    assertThat(SafetyNumbers.of("alice", alice, "bob", bob)).as("stable").isEqualTo(before);
  }

  @Test
  void theNumberDependsOnTheAccountIds() {
    assertThat(SafetyNumbers.of("alice", alice, "bob", bob))
        .isNotEqualTo(SafetyNumbers.of("alice", alice, "bobby", bob));
  }
}
