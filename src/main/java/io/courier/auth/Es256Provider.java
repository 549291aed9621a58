package io.courier.auth;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.InvalidParameterException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPublicKey;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A security provider with one service, {@code Signature.SHA256withECDSA} (ES256), installed ahead of the JDK's
 * providers so that vertx-auth-jwt verifies and signs ES256 tokens with it: BoringSSL's P-256 code through
 * Conscrypt when Conscrypt's native library loads on this machine (Linux, macOS and Windows on x86-64 and ARM64,
 * with glibc), Bouncy Castle's otherwise.
 *
 * <p>Why: verifying the token's ES256 signature is the largest single cost of a WebSocket handshake. Per verify on
 * the 2-core bench machine, warmed up ({@code io.courier.bench.Es256Bench}, two runs): JDK 17's SunEC 0.85–1.4 ms
 * (generic field arithmetic), Bouncy Castle 85–130 µs, BoringSSL 55–72 µs, about 1.7× faster than Bouncy Castle
 * in each run ({@code openssl speed ecdsap256} there: 64 µs). vertx-auth-jwt asks for
 * {@code Signature.getInstance("SHA256withECDSA")} with no provider, so the provider order is the only seam. The
 * check is the same ECDSA verification with the same key and a strict DER decoding of the signature; the token's
 * claims are still checked by vertx-auth-jwt.
 *
 * <p>Only this one algorithm is registered: key factories, digests, TLS and every other algorithm stay with the
 * JDK, and Conscrypt is not installed as a provider.
 *
 * @implNote Process-wide: {@link #install()} changes the JVM's provider list, so every {@code SHA256withECDSA}
 *     {@code Signature} created without a named provider afterwards is this one.
 */
public final class Es256Provider extends Provider {
  /** The provider's name, as {@code Signature.getProvider().getName()} reports it. */
  public static final String NAME = "CourierEs256";
  /** What {@link #implementation()} says when BoringSSL serves. */
  public static final String BORINGSSL = "BoringSSL (Conscrypt)";
  /** What {@link #implementation()} says when Bouncy Castle serves. */
  public static final String BOUNCY_CASTLE = "Bouncy Castle";
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(Es256Provider.class);

  private final String implementation;

  private Es256Provider(Class<? extends SignatureSpi> spi, String implementation) {
    super(NAME, "1", "SHA256withECDSA (ES256) by " + implementation);
    this.implementation = implementation;
    putService(new Service(this, "Signature", "SHA256withECDSA", spi.getName(), List.of("SHA256WithECDSA"),
        Map.of("SupportedKeyClasses", "java.security.interfaces.ECPublicKey|java.security.interfaces.ECPrivateKey")));
  }

  /** The provider with the fastest implementation this machine can load. */
  private static Es256Provider best() {
    return nativeAvailable() ? boringSsl() : bouncyCastle();
  }

  /** A provider on BoringSSL, not installed; needs {@link #nativeAvailable()}. */
  public static Es256Provider boringSsl() {
    return new Es256Provider(BoringSslEs256.class, BORINGSSL);
  }

  /** A provider on Bouncy Castle, not installed. */
  public static Es256Provider bouncyCastle() {
    return new Es256Provider(BouncyCastleEs256.class, BOUNCY_CASTLE);
  }

  /** Whether Conscrypt's native library loads here; it is unpacked to the temporary directory and loaded once. */
  public static boolean nativeAvailable() {
    try {
      return Conscrypt.isAvailable();
    } catch (LinkageError e) {
      return false;
    }
  }

  /** Puts the provider first in the JVM's list and logs which implementation it uses, once; later calls do nothing. */
  public static synchronized void install() {
    if (Security.getProvider(NAME) == null) {
      Es256Provider provider = best();
      Security.insertProviderAt(provider, 1);
      log.info("ES256 signatures by {}", provider.implementation);
    }
  }

  /** Which implementation the installed provider uses ({@link #BORINGSSL} or {@link #BOUNCY_CASTLE}); null before. */
  public static String implementation() {
    return Security.getProvider(NAME) instanceof Es256Provider p ? p.implementation : null;
  }

  /**
   * BoringSSL's ES256 through Conscrypt, which keeps the public key it was last initialised with in Conscrypt's
   * own form.
   *
   * <p>Why the key is kept: vertx-auth-jwt keeps one {@code Signature} per key and calls {@code initVerify} with the
   * same JDK key object for every token; Conscrypt would re-encode and re-parse a JDK key on each call (~5 µs).
   *
   * @implNote Not thread-safe, like every {@code Signature}; vertx-auth-jwt locks each one while it uses it.
   */
  public static final class BoringSslEs256 extends SignatureSpi {
    private static final Provider CONSCRYPT = Conscrypt.newProvider();
    private final Signature delegate;
    private final LastKey lastKey = new LastKey();

    public BoringSslEs256() throws GeneralSecurityException {
      delegate = Signature.getInstance("SHA256withECDSA", CONSCRYPT);
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      delegate.initVerify(lastKey.converted(key, BoringSslEs256::toConscrypt));
    }

    private static PublicKey toConscrypt(PublicKey key) throws InvalidKeyException {
      try {
        return (PublicKey) KeyFactory.getInstance("EC", CONSCRYPT).translateKey(key);
      } catch (GeneralSecurityException e) {
        throw new InvalidKeyException("not a P-256 public key", e);
      }
    }

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
      delegate.initSign(key);
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
      delegate.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
      delegate.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      return delegate.sign();
    }

    @Override
    protected boolean engineVerify(byte[] signature) throws SignatureException {
      return delegate.verify(signature);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
      throw new InvalidParameterException("SHA256withECDSA has no parameters");
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      throw new InvalidParameterException("SHA256withECDSA has no parameters");
    }
  }

  /**
   * Bouncy Castle's ES256, which keeps the public key it was last initialised with in Bouncy Castle's own form.
   *
   * <p>Why: Bouncy Castle turns a JDK key into a new curve point on each {@code initVerify}, so it also had to redo
   * the point tables ({@code WNafUtil.precompute}) that speed up the verification, every time (~11% of a verify).
   * A {@link BCECPublicKey} keeps one point, and the tables stay attached to it. A {@code Signature} initialised
   * with another key object converts that one.
   *
   * @implNote Not thread-safe, like every {@code Signature}; vertx-auth-jwt locks each one while it uses it.
   */
  public static final class BouncyCastleEs256
      extends org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi.ecDSA256 {
    private final LastKey lastKey = new LastKey();

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      super.engineInitVerify(lastKey.converted(key, k -> k instanceof ECPublicKey ec && !(k instanceof BCECPublicKey)
          ? new BCECPublicKey(ec, BouncyCastleProvider.CONFIGURATION) : k));
    }
  }

  /** The key object a verifier was last initialised with, converted once into its implementation's own form. */
  private static final class LastKey {
    private PublicKey key;
    private PublicKey converted;

    PublicKey converted(PublicKey key, Conversion conversion) throws InvalidKeyException {
      if (key != this.key) {
        converted = conversion.apply(key);
        this.key = key;
      }
      return converted;
    }
  }

  /** Turns a public key into an implementation's own form. */
  @FunctionalInterface
  private interface Conversion {
    PublicKey apply(PublicKey key) throws InvalidKeyException;
  }
}
