package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Security;
import java.security.Signature;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ES256 provider agrees with the JDK's SunEC on what is a valid signature, in both directions. */
class BouncyCastleEcdsaProviderTest {
  private static final byte[] DATA = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9".getBytes(StandardCharsets.US_ASCII);

  @BeforeAll
  static void install() {
    BouncyCastleEcdsaProvider.install();
  }

  @Test
  void sha256WithEcdsaWithoutANamedProviderIsServedByBouncyCastle() throws GeneralSecurityException {
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(SigningKeys.generate().getPublic());
    assertThat(verifier.getProvider().getName()).isEqualTo(BouncyCastleEcdsaProvider.NAME);
    assertThat(Signature.getInstance("SHA384withECDSA").getProvider().getName()).isEqualTo("SunEC");
  }

  @Test
  void installingTwiceRegistersTheProviderOnce() {
    BouncyCastleEcdsaProvider.install();
    assertThat(Arrays.stream(Security.getProviders()).filter(p -> p.getName().equals(BouncyCastleEcdsaProvider.NAME)))
        .hasSize(1);
    assertThat(Security.getProviders()[0].getName()).isEqualTo(BouncyCastleEcdsaProvider.NAME);
  }

  @Test
  void signaturesOfTheJdkVerifyAndTamperedOnesDoNot() throws GeneralSecurityException {
    KeyPair keys = SigningKeys.generate();
    Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
    jdk.initSign(keys.getPrivate());
    jdk.update(DATA);
    byte[] signature = jdk.sign();

    assertThat(verify(keys, DATA, signature)).isTrue();
    byte[] otherData = DATA.clone();
    otherData[otherData.length - 1] ^= 1;
    assertThat(verify(keys, otherData, signature)).isFalse();
    assertThat(verify(SigningKeys.generate(), DATA, signature)).as("another key").isFalse();
    byte[] flipped = signature.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThat(verifyOrFalse(keys, DATA, flipped)).as("a changed signature").isFalse();
  }

  @Test
  void itsSignaturesVerifyWithTheJdk() throws GeneralSecurityException {
    KeyPair keys = SigningKeys.generate();
    Signature ours = Signature.getInstance("SHA256withECDSA");
    ours.initSign(keys.getPrivate());
    ours.update(DATA);
    byte[] signature = ours.sign();
    assertThat(ours.getProvider().getName()).isEqualTo(BouncyCastleEcdsaProvider.NAME);

    Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
    jdk.initVerify(keys.getPublic());
    jdk.update(DATA);
    assertThat(jdk.verify(signature)).isTrue();
  }

  @Test
  void aReusedVerifierChecksAgainstTheKeyItWasLastInitialisedWith() throws GeneralSecurityException {
    KeyPair first = SigningKeys.generate();
    KeyPair second = SigningKeys.generate();
    byte[] byFirst = sign(first);
    byte[] bySecond = sign(second);
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    for (int round = 0; round < 2; round++) {
      assertThat(verifyWith(verifier, first, byFirst)).isTrue();
      assertThat(verifyWith(verifier, first, bySecond)).as("the other key's signature").isFalse();
      assertThat(verifyWith(verifier, second, bySecond)).isTrue();
      assertThat(verifyWith(verifier, second, byFirst)).as("the other key's signature").isFalse();
    }
  }

  private static byte[] sign(KeyPair keys) throws GeneralSecurityException {
    Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
    jdk.initSign(keys.getPrivate());
    jdk.update(DATA);
    return jdk.sign();
  }

  private static boolean verifyWith(Signature verifier, KeyPair keys, byte[] signature)
      throws GeneralSecurityException {
    verifier.initVerify(keys.getPublic());
    verifier.update(DATA);
    return verifier.verify(signature);
  }

  private static boolean verify(KeyPair keys, byte[] data, byte[] signature) throws GeneralSecurityException {
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(keys.getPublic());
    verifier.update(data);
    return verifier.verify(signature);
  }

  /** A damaged DER encoding may be refused with an exception rather than {@code false}; both are a refusal. */
  private static boolean verifyOrFalse(KeyPair keys, byte[] data, byte[] signature) {
    try {
      return verify(keys, data, signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
