package io.courier.push;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.math.BigInteger;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The user agent's side of RFC 8291 ({@code aes128gcm}, RFC 8188 framing), written from the RFC for the tests: it
 * decrypts what {@link WebPushSender} sent with the subscription's private key, independently of the library
 * that encrypted it. A verifier, not production code.
 */
final class Rfc8291 {
  private Rfc8291() {}

  /** The plaintext of one {@code aes128gcm} body (a single record), or an exception if anything does not fit. */
  static byte[] decrypt(byte[] body, KeyPair subscription, byte[] authSecret) throws GeneralSecurityException {
    ByteBuffer in = ByteBuffer.wrap(body);
    byte[] salt = new byte[16];
    in.get(salt);
    int recordSize = in.getInt();
    int idLength = in.get() & 0xff;
    if (idLength != 65) {
      throw new GeneralSecurityException("keyid must be the sender's 65-byte public key, got " + idLength);
    }
    byte[] senderPublic = new byte[idLength];
    in.get(senderPublic);
    byte[] ciphertext = new byte[in.remaining()];
    in.get(ciphertext);
    if (ciphertext.length > recordSize) {
      throw new GeneralSecurityException("more than one record");
    }

    KeyAgreement ecdh = KeyAgreement.getInstance("ECDH");
    ecdh.init(subscription.getPrivate());
    ecdh.doPhase(publicKey(senderPublic, (ECPublicKey) subscription.getPublic()), true);
    byte[] sharedSecret = ecdh.generateSecret();

    byte[] receiverPublic = PushTestKeys.uncompressed((ECPublicKey) subscription.getPublic());
    // RFC 8291 §3.3: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
    byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), receiverPublic, senderPublic);
    byte[] ikm = hkdf(authSecret, sharedSecret, keyInfo, 32);
    // RFC 8188 §2.2, §2.3: CEK and NONCE from the salt
    byte[] cek = hkdf(salt, ikm, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
    byte[] nonce = hkdf(salt, ikm, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);

    Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
    aes.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
    byte[] padded = aes.doFinal(ciphertext);
    // The last record: data, then the delimiter 0x02, then zero or more 0x00.
    int end = padded.length - 1;
    while (end >= 0 && padded[end] == 0) {
      end--;
    }
    if (end < 0 || padded[end] != 2) {
      throw new GeneralSecurityException("no last-record delimiter");
    }
    return Arrays.copyOf(padded, end);
  }

  /** HKDF-SHA-256 (RFC 5869), extract then expand, for at most 32 bytes. */
  static byte[] hkdf(byte[] salt, byte[] ikm, byte[] info, int length) throws GeneralSecurityException {
    Mac extract = Mac.getInstance("HmacSHA256");
    extract.init(new SecretKeySpec(salt, "HmacSHA256"));
    byte[] prk = extract.doFinal(ikm);
    Mac expand = Mac.getInstance("HmacSHA256");
    expand.init(new SecretKeySpec(prk, "HmacSHA256"));
    expand.update(info);
    expand.update((byte) 1);
    return Arrays.copyOf(expand.doFinal(), length);
  }

  private static PublicKey publicKey(byte[] point, ECPublicKey curveOf) throws GeneralSecurityException {
    ECPoint w = new ECPoint(new BigInteger(1, Arrays.copyOfRange(point, 1, 33)),
        new BigInteger(1, Arrays.copyOfRange(point, 33, 65)));
    return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, curveOf.getParams()));
  }

  private static byte[] concat(byte[]... parts) {
    ByteBuffer all = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
    Arrays.stream(parts).forEach(all::put);
    return all.array();
  }
}
