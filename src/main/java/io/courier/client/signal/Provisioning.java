package io.courier.client.signal;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.kdf.HKDF;

/**
 * The {@code provisioning} blob a Device puts on a link code ({@code POST /v1/devices/link-codes}) so the new Device
 * gets the Account's identity key pair, sealed under a secret the server never sees.
 *
 * <p>The linking Device draws a {@value #SECRET_BYTES}-byte secret S and shows the user {@code <code>#<S in base32>}
 * (RFC 4648 alphabet, no padding: 26 characters). The blob is:
 * <pre>
 *   byte 0       version, 0x01
 *   bytes 1-12   a random 96-bit nonce
 *   bytes 13-    AES-256-GCM ciphertext with its 16-byte tag; associated data: the version byte
 *   key          HKDF-SHA256 (libsignal's {@link HKDF}) of S, no salt, info "Courier link provisioning v1", 32 bytes
 *   plaintext    UTF-8 JSON {"v":1,"account":"alice","identityKeyPair":"<base64 of IdentityKeyPair.serialize()>"}
 * </pre>
 * The new Device checks that {@code account} is the Account it was linked to, so the server cannot hand it another
 * Account's blob.
 *
 * @implNote The secret has 128 bits, so the blob cannot be opened by guessing even though the server keeps it for
 *     the life of the code (5 minutes). Whoever reads the typed text owns the Account's identity: show it only on the
 *     linking Device's screen. Wrong secrets and tampered blobs fail the GCM tag check with
 *     {@link IllegalArgumentException}.
 */
public final class Provisioning {

  static final int VERSION = 1;
  static final int SECRET_BYTES = 16;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_BYTES = 32;
  private static final byte[] INFO = "Courier link provisioning v1".getBytes(StandardCharsets.US_ASCII);
  private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What a blob carries. */
  public record Contents(String account, IdentityKeyPair identity) {
  }

  /** A typed link text split into the server's code and the secret. */
  public record Typed(String code, byte[] secret) {
  }

  private Provisioning() {
  }

  /** A fresh random secret. */
  public static byte[] newSecret() {
    byte[] secret = new byte[SECRET_BYTES];
    RANDOM.nextBytes(secret);
    return secret;
  }

  /** Seals {@code identity} of {@code account} under {@code secret}. */
  public static byte[] seal(byte[] secret, String account, IdentityKeyPair identity) {
    JsonObject contents = new JsonObject()
        .put("v", VERSION)
        .put("account", account)
        .put("identityKeyPair", Base64.getEncoder().encodeToString(identity.serialize()));
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] sealed = gcm(Cipher.ENCRYPT_MODE, secret, nonce, contents.encode().getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.allocate(1 + NONCE_BYTES + sealed.length).put((byte) VERSION).put(nonce).put(sealed).array();
  }

  /**
   * Opens a blob.
   *
   * @throws IllegalArgumentException when the secret is wrong, the blob was changed, or it is not version 1
   */
  public static Contents open(byte[] secret, byte[] blob) {
    if (blob.length < 1 + NONCE_BYTES + TAG_BITS / 8 || blob[0] != VERSION) {
      throw new IllegalArgumentException("not a version " + VERSION + " provisioning blob");
    }
    byte[] nonce = Arrays.copyOfRange(blob, 1, 1 + NONCE_BYTES);
    byte[] plain = gcm(Cipher.DECRYPT_MODE, secret, nonce, Arrays.copyOfRange(blob, 1 + NONCE_BYTES, blob.length));
    try {
      JsonObject contents = new JsonObject(new String(plain, StandardCharsets.UTF_8));
      IdentityKeyPair identity = new IdentityKeyPair(Base64.getDecoder().decode(contents.getString("identityKeyPair")));
      return new Contents(contents.getString("account"), identity);
    } catch (DecodeException | InvalidKeyException | NullPointerException | ClassCastException e) {
      throw new IllegalArgumentException("unreadable provisioning contents", e);
    }
  }

  /** The text the user types on the new Device: {@code <code>#<base32 secret>}. */
  public static String typedText(String code, byte[] secret) {
    return code + "#" + base32(secret);
  }

  /**
   * Splits typed text; the secret part ignores case, spaces and dashes.
   *
   * @throws IllegalArgumentException when there is no {@code #}, or the secret is not {@value #SECRET_BYTES} bytes
   */
  public static Typed parse(String typed) {
    int hash = typed.indexOf('#');
    if (hash <= 0) {
      throw new IllegalArgumentException("expected <code>#<secret>");
    }
    String code = typed.substring(0, hash).trim();
    byte[] secret = fromBase32(typed.substring(hash + 1).replaceAll("[\\s-]", "").toUpperCase(Locale.ROOT));
    if (secret.length != SECRET_BYTES) {
      throw new IllegalArgumentException("the secret after # must be " + SECRET_BYTES + " bytes");
    }
    return new Typed(code, secret);
  }

  private static byte[] gcm(int mode, byte[] secret, byte[] nonce, byte[] input) {
    byte[] key = HKDF.deriveSecrets(secret, INFO, KEY_BYTES);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(new byte[] {VERSION});
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("the secret does not open this provisioning blob", e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xFF);
      bits += 8;
      while (bits >= 5) {
        out.append(BASE32.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(BASE32.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }

  static byte[] fromBase32(String text) {
    ByteBuffer out = ByteBuffer.allocate(text.length() * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (char c : text.toCharArray()) {
      int value = BASE32.indexOf(c);
      if (value < 0) {
        throw new IllegalArgumentException("not base32: " + c);
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out.put((byte) (buffer >> (bits - 8)));
        bits -= 8;
      }
    }
    return Arrays.copyOf(out.array(), out.position());
  }
}
