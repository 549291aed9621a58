package io.courier.push;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Subscription keys as a browser makes them: a P-256 pair (p256dh) and a 16-byte auth secret. */
public final class PushTestKeys {
  private PushTestKeys() {}

  public static KeyPair p256() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** 0x04 ‖ x ‖ y of {@code key}. */
  public static byte[] uncompressed(ECPublicKey key) {
    byte[] point = new byte[65];
    point[0] = 4;
    put(key.getW().getAffineX(), point, 1);
    put(key.getW().getAffineY(), point, 33);
    return point;
  }

  public static String base64url(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** A fresh subscription's {@code p256dh}, base64url. */
  public static String p256dh() {
    return base64url(uncompressed((ECPublicKey) p256().getPublic()));
  }

  /** A fresh 16-byte {@code auth}, base64url. */
  public static String auth() {
    byte[] secret = new byte[16];
    new java.security.SecureRandom().nextBytes(secret);
    return base64url(secret);
  }

  private static void put(BigInteger coordinate, byte[] into, int offset) {
    byte[] bytes = coordinate.toByteArray();
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, into, offset + 32 - length, length);
  }
}
