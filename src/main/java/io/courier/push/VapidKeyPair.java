package io.courier.push;

import io.courier.auth.SigningKeys;
import io.courier.config.PushConfig.WebPushConfig;
import io.courier.config.Secrets;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

/**
 * The server's VAPID key pair (RFC 8292): it signs the JWT of every Web Push request, and apps subscribe with its
 * public key as {@code applicationServerKey} ({@code GET /v1/push/vapid}), so a push service accepts wake-ups for
 * that subscription from this server only. From {@code push.webPush.vapidPublicKey}/{@code vapidPrivateKey}, or,
 * when both are empty, development keys generated once into {@code <dataDir>/keys} and reused after (as
 * {@link SigningKeys} does; the private key owner-only).
 *
 * @param publicKey  the P-256 public key
 * @param privateKey the P-256 private key
 */
public record VapidKeyPair(ECPublicKey publicKey, ECPrivateKey privateKey) {

  public static VapidKeyPair load(WebPushConfig config, Path dataDir, Map<String, String> environment) {
    if (!config.vapidPrivateKey().isBlank()) {
      return fromPem(Secrets.resolve(config.vapidPublicKey(), environment),
          Secrets.resolve(config.vapidPrivateKey(), environment));
    }
    SigningKeys pems = SigningKeys.development(dataDir.resolve("keys"), "vapid", "push.webPush.vapidPrivateKey");
    return fromPem(pems.publicPem(), pems.privatePem());
  }

  /** From an X.509 PEM public key and a PKCS#8 PEM private key (both P-256). */
  public static VapidKeyPair fromPem(String publicPem, String privatePem) {
    try {
      KeyFactory factory = KeyFactory.getInstance("EC");
      return new VapidKeyPair(
          (ECPublicKey) factory.generatePublic(new X509EncodedKeySpec(der(publicPem))),
          (ECPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(der(privatePem))));
    } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the VAPID keys are not a P-256 key pair in PEM", e);
    }
  }

  /** The public key as apps pass it to {@code pushManager.subscribe}: the 65-byte point, base64url. */
  public String applicationServerKey() {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(uncompressed(publicKey));
  }

  /** 0x04 ‖ x ‖ y, each coordinate in 32 bytes. */
  static byte[] uncompressed(ECPublicKey key) {
    byte[] point = new byte[65];
    point[0] = 0x04;
    copy(key.getW().getAffineX(), point, 1);
    copy(key.getW().getAffineY(), point, 33);
    return point;
  }

  private static void copy(BigInteger coordinate, byte[] into, int offset) {
    byte[] bytes = coordinate.toByteArray();
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, into, offset + 32 - length, length);
  }

  private static byte[] der(String pem) {
    return Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").trim());
  }
}
