package io.courier.client.media;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the recipient needs to fetch and open one attachment, sent inside an end-to-end encrypted message: the server
 * never sees it. Whoever holds a pointer can download and decrypt the file, so it must travel only end-to-end
 * encrypted ({@link io.courier.client.signal.SecureMessenger#send}).
 *
 * <p><b>Message format</b> (version 1): the bytes given to {@code SecureMessenger.send} are the 4-byte marker
 * {@code FF 41 54 54} ({@code 0xFF} then ASCII {@code ATT}) followed by one UTF-8 JSON object:
 * <pre>
 *   {"v": 1, "id": "R2x0c3k3b2xvZ0l0IHNl", "key": "base64 (32 bytes)", "nonce": "base64 (12 bytes)",
 *    "digest": "base64 (32 bytes)", "plaintextSize": 20971520, "ciphertextSize": 20971536,
 *    "contentType": "image/jpeg", "fileName": "photo.jpg"}
 * </pre>
 * {@code 0xFF} never occurs in UTF-8, so no text message (what the CLI sends) is ever taken for a pointer, and a
 * pointer is never shown as text by a client that reads messages as UTF-8. Base64 is standard, with padding.
 *
 * @param id the attachment id the server gave ({@code POST /v1/attachments}); 1 to 64 of {@code [A-Za-z0-9_-]}
 * @param key the AES-256-GCM key, 32 bytes, fresh for this file
 * @param nonce the GCM nonce, 12 bytes, fresh for this file
 * @param digest SHA-256 of the whole ciphertext as stored (the encrypted bytes and the tag), 32 bytes; checked
 *     before anything is decrypted
 * @param plaintextSize the file's size in bytes
 * @param ciphertextSize the stored size: {@code plaintextSize + 16} (the GCM tag)
 * @param contentType the sender's MIME type, e.g. {@code image/jpeg}; at most {@value #MAX_TEXT} characters
 * @param fileName the sender's file name, without folders; at most {@value #MAX_TEXT} characters, possibly empty. It
 *     comes from the sender: save under {@link #safeFileName()}, never under this name as is
 * @implNote Readers ignore JSON fields they do not know, and refuse another {@code v} with
 *     {@link IllegalArgumentException} (a later, incompatible version gets a new {@code v}). The byte arrays are
 *     copied in and out; {@link #toString()} leaves the key and nonce out.
 */
public record AttachmentPointer(String id, byte[] key, byte[] nonce, byte[] digest, long plaintextSize,
    long ciphertextSize, String contentType, String fileName) {

  /** The pointer format this class writes and reads. */
  public static final int VERSION = 1;

  /** The bytes a pointer message starts with. */
  static final byte[] MARKER = {(byte) 0xFF, 'A', 'T', 'T'};

  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int DIGEST_BYTES = 32;
  static final int TAG_BYTES = 16;
  static final int MAX_TEXT = 255;

  /** Ids as the server makes them (22 characters of base64url), with room for other servers' ids. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  /** What a saved file name may not contain: folder separators, control characters, reserved Windows characters. */
  private static final Pattern UNSAFE = Pattern.compile("[\\p{Cntrl}/\\\\:*?\"<>|]");
  private static final String DEFAULT_NAME = "attachment";

  public AttachmentPointer {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("bad attachment id");
    }
    key = copyOf(key, KEY_BYTES, "key");
    nonce = copyOf(nonce, NONCE_BYTES, "nonce");
    digest = copyOf(digest, DIGEST_BYTES, "digest");
    if (plaintextSize < 0 || ciphertextSize != plaintextSize + TAG_BYTES) {
      throw new IllegalArgumentException("sizes do not match: " + plaintextSize + " and " + ciphertextSize);
    }
    contentType = contentType == null || contentType.isBlank() ? "application/octet-stream" : contentType;
    fileName = fileName == null ? "" : fileName;
    if (contentType.length() > MAX_TEXT || fileName.length() > MAX_TEXT) {
      throw new IllegalArgumentException("content type or file name longer than " + MAX_TEXT + " characters");
    }
  }

  @Override
  public byte[] key() {
    return key.clone();
  }

  @Override
  public byte[] nonce() {
    return nonce.clone();
  }

  @Override
  public byte[] digest() {
    return digest.clone();
  }

  /** Whether {@code plaintext} (a decrypted message's bytes) is a pointer message, by its marker. */
  public static boolean isPointer(byte[] plaintext) {
    return plaintext != null && plaintext.length >= MARKER.length
        && Arrays.equals(plaintext, 0, MARKER.length, MARKER, 0, MARKER.length);
  }

  /** The bytes to send end-to-end encrypted: the marker and the JSON (see the class comment). */
  public byte[] toMessage() {
    byte[] json = new JsonObject()
        .put("v", VERSION)
        .put("id", id)
        .put("key", base64(key))
        .put("nonce", base64(nonce))
        .put("digest", base64(digest))
        .put("plaintextSize", plaintextSize)
        .put("ciphertextSize", ciphertextSize)
        .put("contentType", contentType)
        .put("fileName", fileName)
        .encode().getBytes(StandardCharsets.UTF_8);
    byte[] message = Arrays.copyOf(MARKER, MARKER.length + json.length);
    System.arraycopy(json, 0, message, MARKER.length, json.length);
    return message;
  }

  /**
   * Reads a pointer message.
   *
   * @throws IllegalArgumentException when the bytes are not a version {@value #VERSION} pointer (no marker, bad
   *     JSON, another version, a missing or malformed field)
   */
  public static AttachmentPointer fromMessage(byte[] plaintext) {
    if (!isPointer(plaintext)) {
      throw new IllegalArgumentException("not an attachment pointer");
    }
    JsonObject json;
    try {
      json = new JsonObject(new String(plaintext, MARKER.length, plaintext.length - MARKER.length,
          StandardCharsets.UTF_8));
      if (!Objects.equals(json.getValue("v"), VERSION)) {
        throw new IllegalArgumentException("attachment pointer version " + json.getValue("v") + " is not supported");
      }
      return new AttachmentPointer(json.getString("id"), unbase64(json, "key"), unbase64(json, "nonce"),
          unbase64(json, "digest"), number(json, "plaintextSize"), number(json, "ciphertextSize"),
          json.getString("contentType"), json.getString("fileName"));
    } catch (DecodeException | ClassCastException malformed) {
      throw new IllegalArgumentException("malformed attachment pointer: " + malformed.getMessage());
    }
  }

  /**
   * A name to save the file under in a folder the app chose: the sender's {@link #fileName()} without folders,
   * control and reserved characters, leading dots or surrounding blanks, at most 120 characters (keeping the
   * extension); {@code attachment} when nothing is left. It never names another folder ({@code ..}) nor a hidden file.
   */
  public String safeFileName() {
    String name = fileName;
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    name = UNSAFE.matcher(name.substring(slash + 1)).replaceAll("_").strip();
    while (name.startsWith(".")) {
      name = name.substring(1);
    }
    if (name.length() > 120) {
      int dot = name.lastIndexOf('.');
      String extension = dot > 0 && name.length() - dot <= 16 ? name.substring(dot) : "";
      name = name.substring(0, 120 - extension.length()) + extension;
    }
    return name.isBlank() ? DEFAULT_NAME : name;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof AttachmentPointer that
        && id.equals(that.id) && MessageDigest.isEqual(key, that.key) && Arrays.equals(nonce, that.nonce)
        && Arrays.equals(digest, that.digest) && plaintextSize == that.plaintextSize
        && ciphertextSize == that.ciphertextSize && contentType.equals(that.contentType)
        && fileName.equals(that.fileName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, Arrays.hashCode(digest), plaintextSize);
  }

  /** Everything but the key and nonce, which must not end up in logs. */
  @Override
  public String toString() {
    return "AttachmentPointer[id=" + id + ", digest=" + HexFormat.of().formatHex(digest) + ", plaintextSize="
        + plaintextSize + ", ciphertextSize=" + ciphertextSize + ", contentType=" + contentType + ", fileName="
        + fileName + "]";
  }

  private static byte[] copyOf(byte[] bytes, int length, String what) {
    if (bytes == null || bytes.length != length) {
      throw new IllegalArgumentException(what + " must be " + length + " bytes");
    }
    return bytes.clone();
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static byte[] unbase64(JsonObject json, String field) {
    String value = json.getString(field);
    if (value == null) {
      throw new IllegalArgumentException("attachment pointer without " + field);
    }
    return Base64.getDecoder().decode(value); // IllegalArgumentException on bad base64
  }

  private static long number(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new IllegalArgumentException("attachment pointer without an integer " + field);
    }
    return ((Number) value).longValue();
  }
}
