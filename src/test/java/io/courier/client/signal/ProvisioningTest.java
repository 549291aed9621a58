package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.signal.libsignal.protocol.IdentityKeyPair;

class ProvisioningTest {

  @Test
  void aBlobOpensWithItsSecretAndGivesBackTheIdentityKeyPair() {
    IdentityKeyPair identity = IdentityKeyPair.generate();
    byte[] secret = Provisioning.newSecret();

    Provisioning.Contents contents = Provisioning.open(secret, Provisioning.seal(secret, "alice", identity));

    assertThat(contents.account()).isEqualTo("alice");
    assertThat(contents.identity().serialize()).isEqualTo(identity.serialize());
  }

  @Test
  void aWrongSecretOrAChangedBlobDoesNotOpen() {
    byte[] secret = Provisioning.newSecret();
    byte[] blob = Provisioning.seal(secret, "alice", IdentityKeyPair.generate());
    byte[] wrong = secret.clone();
    wrong[0] ^= 1;
    byte[] changed = blob.clone();
    changed[20] ^= 1;
    byte[] otherVersion = blob.clone();
    otherVersion[0] = 2;

    assertThatThrownBy(() -> Provisioning.open(wrong, blob)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Provisioning.open(secret, changed)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Provisioning.open(secret, otherVersion)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Provisioning.open(secret, new byte[5])).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theBlobHidesTheIdentityAndIsDifferentEachTime() {
    IdentityKeyPair identity = IdentityKeyPair.generate();
    byte[] secret = Provisioning.newSecret();

    byte[] one = Provisioning.seal(secret, "alice", identity);
    byte[] two = Provisioning.seal(secret, "alice", identity);

    assertThat(one).isNotEqualTo(two);
    assertThat(new String(one, StandardCharsets.ISO_8859_1)).doesNotContain("alice");
    assertThat(one.length).isLessThan(8 * 1024);
  }

  @Test
  void typedTextCarriesTheCodeAndTheSecretAndToleratesCaseAndSpaces() {
    byte[] secret = Provisioning.newSecret();
    String text = Provisioning.typedText("K7QF-2M9D-XW4A", secret);

    Provisioning.Typed typed = Provisioning.parse(text);
    String secretPart = text.substring(text.indexOf('#') + 1);
    Provisioning.Typed sloppy = Provisioning.parse(" K7QF-2M9D-XW4A #" + secretPart.toLowerCase().substring(0, 10)
        + " " + secretPart.toLowerCase().substring(10));

    assertThat(secretPart).hasSize(26).matches("[A-Z2-7]+");
    assertThat(typed.code()).isEqualTo("K7QF-2M9D-XW4A");
    assertThat(typed.secret()).isEqualTo(secret);
    assertThat(sloppy.code()).isEqualTo("K7QF-2M9D-XW4A");
    assertThat(sloppy.secret()).isEqualTo(secret);
    assertThatThrownBy(() -> Provisioning.parse("K7QF-2M9D-XW4A")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Provisioning.parse("K7QF#ABC")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void base32FollowsRfc4648() {
    assertThat(Provisioning.base32("foobar".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MZXW6YTBOI");
    assertThat(Provisioning.fromBase32("MZXW6YTBOI")).isEqualTo("foobar".getBytes(StandardCharsets.US_ASCII));
    assertThat(Provisioning.base32("f".getBytes(StandardCharsets.US_ASCII))).isEqualTo("MY");
  }
}
