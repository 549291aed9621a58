package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both ES256 implementations agree with the JDK's SunEC on what is a valid signature, in both directions; the
 * installed provider serves {@code SHA256withECDSA} and nothing else.
 */
class Es256ProviderTest {
  private static final byte[] DATA = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9".getBytes(StandardCharsets.US_ASCII);

  @BeforeAll
  static void install() {
    Es256Provider.install();
  }

  static Stream<Provider> implementations() {
    return Stream.of(Es256Provider.boringSsl(), Es256Provider.bouncyCastle());
  }

  @Test
  void sha256WithEcdsaWithoutANamedProviderIsServedByTheFastestImplementationHere() throws GeneralSecurityException {
    Signature verifier = Signature.getInstance("SHA256withECDSA");
    verifier.initVerify(SigningKeys.generate().getPublic());
    assertThat(verifier.getProvider().getName()).isEqualTo(Es256Provider.NAME);
    // Conscrypt ships its native library for the machines CI and the Docker image run on.
    assertThat(Es256Provider.nativeAvailable()).isTrue();
    assertThat(Es256Provider.implementation()).isEqualTo(Es256Provider.BORINGSSL);
    assertThat(Signature.getInstance("SHA384withECDSA").getProvider().getName()).isEqualTo("SunEC");
  }

  @Test
  void installingTwiceRegistersTheProviderOnce() {
    Es256Provider.install();
    assertThat(Arrays.stream(Security.getProviders()).filter(p -> p.getName().equals(Es256Provider.NAME)))
        .hasSize(1);
    assertThat(Security.getProviders()[0].getName()).isEqualTo(Es256Provider.NAME);
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void signaturesOfTheJdkVerifyAndTamperedOnesDoNot(Provider provider) throws GeneralSecurityException {
    KeyPair keys = SigningKeys.generate();
    byte[] signature = jdkSignature(keys, DATA);

    assertThat(verify(provider, keys, DATA, signature)).isTrue();
    byte[] otherData = DATA.clone();
    otherData[otherData.length - 1] ^= 1;
    assertThat(verify(provider, keys, otherData, signature)).isFalse();
    assertThat(verify(provider, SigningKeys.generate(), DATA, signature)).as("another key").isFalse();
    byte[] flipped = signature.clone();
    flipped[flipped.length - 1] ^= 1;
    assertThat(verifyOrFalse(provider, keys, DATA, flipped)).as("a changed signature").isFalse();
    assertThat(verifyOrFalse(provider, keys, DATA, new byte[0])).as("no signature").isFalse();
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void itsSignaturesVerifyWithTheJdk(Provider provider) throws GeneralSecurityException {
    KeyPair keys = SigningKeys.generate();
    Signature ours = Signature.getInstance("SHA256withECDSA", provider);
    ours.initSign(keys.getPrivate());
    ours.update(DATA);
    byte[] signature = ours.sign();

    Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
    jdk.initVerify(keys.getPublic());
    jdk.update(DATA);
    assertThat(jdk.verify(signature)).isTrue();
  }

  @ParameterizedTest
  @MethodSource("implementations")
  void aReusedVerifierChecksAgainstTheKeyItWasLastInitialisedWith(Provider provider)
      throws GeneralSecurityException {
    KeyPair first = SigningKeys.generate();
    KeyPair second = SigningKeys.generate();
    byte[] byFirst = jdkSignature(first, DATA);
    byte[] bySecond = jdkSignature(second, DATA);
    Signature verifier = Signature.getInstance("SHA256withECDSA", provider);
    for (int round = 0; round < 2; round++) {
      assertThat(verifyWith(verifier, first, byFirst)).isTrue();
      assertThat(verifyWith(verifier, first, bySecond)).as("the other key's signature").isFalse();
      assertThat(verifyWith(verifier, second, bySecond)).isTrue();
      assertThat(verifyWith(verifier, second, byFirst)).as("the other key's signature").isFalse();
    }
  }

  private static byte[] jdkSignature(KeyPair keys, byte[] data) throws GeneralSecurityException {
    Signature jdk = Signature.getInstance("SHA256withECDSA", "SunEC");
    jdk.initSign(keys.getPrivate());
    jdk.update(data);
    return jdk.sign();
  }

  private static boolean verifyWith(Signature verifier, KeyPair keys, byte[] signature)
      throws GeneralSecurityException {
    verifier.initVerify(keys.getPublic());
    verifier.update(DATA);
    return verifier.verify(signature);
  }

  private static boolean verify(Provider provider, KeyPair keys, byte[] data, byte[] signature)
      throws GeneralSecurityException {
    Signature verifier = Signature.getInstance("SHA256withECDSA", provider);
    verifier.initVerify(keys.getPublic());
    verifier.update(data);
    return verifier.verify(signature);
  }

  /** A damaged DER encoding may be refused with an exception rather than {@code false}; both are a refusal. */
  private static boolean verifyOrFalse(Provider provider, KeyPair keys, byte[] data, byte[] signature) {
    try {
      return verify(provider, keys, data, signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
