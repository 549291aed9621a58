package io.courier.auth;

import java.security.InvalidKeyException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jcajce.provider.asymmetric.ec.BCECPublicKey;
import org.bouncycastle.jcajce.provider.asymmetric.ec.SignatureSpi;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A security provider with one service, {@code Signature.SHA256withECDSA} (ES256), implemented by Bouncy Castle,
 * installed ahead of the JDK's providers so that vertx-auth-jwt verifies and signs ES256 tokens with it.
 *
 * <p>Why: verifying the ES256 signature is most of a WebSocket handshake's CPU. JDK 17's SunEC does P-256 in
 * generic Java field arithmetic (about 0.85 ms per verify on the 2-core bench machine), Bouncy Castle's
 * {@code SecP256R1} code about 0.2 ms; vertx-auth-jwt asks for {@code Signature.getInstance("SHA256withECDSA")}
 * with no provider, so the provider order is the only seam. The verification itself is the same ECDSA check
 * with the same key and a strict DER decoding of the signature; token claims are still checked by
 * vertx-auth-jwt.
 *
 * <p>Only this one algorithm is registered: key factories, digests, TLS and every other algorithm stay with the
 * JDK. Bouncy Castle ({@code bcprov}) is already a runtime dependency (BCrypt).
 *
 * @implNote Process-wide: {@link #install()} changes the JVM's provider list, so every {@code SHA256withECDSA}
 *     {@code Signature} created without a named provider afterwards is Bouncy Castle's.
 */
public final class BouncyCastleEcdsaProvider extends Provider {
  /** The provider's name, as {@code Signature.getProvider().getName()} reports it. */
  public static final String NAME = "CourierEcdsa";
  private static final long serialVersionUID = 1L;
  private static final String SPI = Es256.class.getName();

  private BouncyCastleEcdsaProvider() {
    super(NAME, "1", "SHA256withECDSA (ES256) by Bouncy Castle");
    putService(new Service(this, "Signature", "SHA256withECDSA", SPI, List.of("SHA256WithECDSA"),
        Map.of("SupportedKeyClasses", "java.security.interfaces.ECPublicKey|java.security.interfaces.ECPrivateKey")));
  }

  /** Puts the provider first in the JVM's list, once; later calls do nothing. */
  public static synchronized void install() {
    if (Security.getProvider(NAME) == null) {
      Security.insertProviderAt(new BouncyCastleEcdsaProvider(), 1);
    }
  }

  /**
   * Bouncy Castle's ES256 signature, which keeps the public key it was last initialised with in Bouncy Castle's
   * own form.
   *
   * <p>Why: vertx-auth-jwt keeps one {@code Signature} per key and calls {@code initVerify} with the same JDK key
   * object for every token. Bouncy Castle turns a JDK key into a new curve point on each call, so it also had to
   * redo the point tables ({@code WNafUtil.precompute}) that speed up the verification, every time (~11% of a
   * verify). A {@link BCECPublicKey} keeps one point, and the tables stay attached to it. The verification is
   * Bouncy Castle's, unchanged; a {@code Signature} initialised with another key object converts that one.
   *
   * @implNote Not thread-safe, like every {@code Signature}; vertx-auth-jwt locks each one while it verifies.
   */
  public static final class Es256 extends SignatureSpi.ecDSA256 {
    private PublicKey lastKey;
    private PublicKey lastConverted;

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      if (key != lastKey) {
        lastConverted = key instanceof ECPublicKey ec && !(key instanceof BCECPublicKey)
            ? new BCECPublicKey(ec, BouncyCastleProvider.CONFIGURATION) : key;
        lastKey = key;
      }
      super.engineInitVerify(lastConverted);
    }
  }
}
