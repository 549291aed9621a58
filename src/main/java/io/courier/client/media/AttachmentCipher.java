package io.courier.client.media;

import io.courier.client.CourierException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import org.signal.libsignal.crypto.Aes256GcmDecryption;
import org.signal.libsignal.crypto.Aes256GcmEncryption;
import org.signal.libsignal.protocol.InvalidKeyException;

/**
 * Encrypts and decrypts attachment files as streams, with libsignal's incremental AES-256-GCM.
 *
 * <p><b>Ciphertext format</b> (version 1 of {@link AttachmentPointer}): the file's bytes encrypted with AES-256-GCM
 * under a fresh random 32-byte key and 12-byte nonce, with the associated data {@code "courier attachment v1"}
 * (ASCII), followed by the 16-byte GCM tag. Its size is the file's plus 16. The digest in the pointer is SHA-256 of
 * these bytes, tag included.
 *
 * <p><b>Encrypting</b> ({@link #encrypt}): reads the file in chunks of {@value #CHUNK} bytes, encrypts each in place,
 * hashes it and appends it to the ciphertext file, then appends the tag.
 *
 * <p><b>Decrypting</b> ({@link #decrypt}): decrypts the ciphertext file chunk by chunk into a temporary file next to
 * the destination, then checks the tag; only a file whose tag verifies is moved to the destination (atomically where
 * the file system can). On any failure the temporary file is deleted and the destination is left as it was. The
 * caller checks the digest first (the download does it while the bytes arrive), so no byte of a tampered ciphertext
 * is ever decrypted.
 *
 * @implNote Memory is bounded by construction: one buffer of {@value #CHUNK} bytes per call, whatever the file's
 *     size; neither file is ever read whole. The methods block on file I/O and CPU (about 1 s per few hundred MB):
 *     call them from a worker ({@code executeBlocking}), never on an event loop. Streaming GCM decryption releases
 *     plaintext before the tag is checked; that is why it goes to a temporary file first. Keys are fresh per file,
 *     so a nonce is never reused with a key.
 */
final class AttachmentCipher {

  /** Bytes encrypted, decrypted, read or written at a time. */
  static final int CHUNK = 64 * 1024;

  private static final byte[] ASSOCIATED_DATA = "courier attachment v1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * What encryption produced: the secrets and the digest the pointer carries.
   *
   * @param key the AES-256 key
   * @param nonce the GCM nonce
   * @param digest SHA-256 of the ciphertext file
   * @param plaintextSize bytes read from the file
   * @param ciphertextSize bytes written: {@code plaintextSize + 16}
   */
  record Sealed(byte[] key, byte[] nonce, byte[] digest, long plaintextSize, long ciphertextSize) {
  }

  private AttachmentCipher() {
  }

  /**
   * Encrypts {@code plaintext} into {@code ciphertext} (created or truncated) under a new key and nonce. Blocking.
   *
   * @throws UncheckedIOException when a file cannot be read or written
   */
  static Sealed encrypt(Path plaintext, Path ciphertext) {
    byte[] key = random(AttachmentPointer.KEY_BYTES);
    byte[] nonce = random(AttachmentPointer.NONCE_BYTES);
    MessageDigest digest = sha256();
    byte[] chunk = new byte[CHUNK];
    long size = 0;
    try (FileChannel in = FileChannel.open(plaintext, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(ciphertext, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      Aes256GcmEncryption gcm = new Aes256GcmEncryption(key, nonce, ASSOCIATED_DATA);
      for (int read = readFully(in, chunk, CHUNK); read > 0; read = readFully(in, chunk, CHUNK)) {
        gcm.encrypt(chunk, 0, read);
        digest.update(chunk, 0, read);
        writeFully(out, chunk, read);
        size += read;
      }
      byte[] tag = gcm.computeTag();
      digest.update(tag);
      writeFully(out, tag, tag.length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encrypt " + plaintext, e);
    } catch (InvalidKeyException impossible) {
      throw new IllegalStateException(impossible);
    }
    return new Sealed(key, nonce, digest.digest(), size, size + AttachmentPointer.TAG_BYTES);
  }

  /**
   * Decrypts {@code ciphertext} into {@code destination} (replaced if it exists) and checks the tag. Blocking.
   *
   * @throws CourierException {@link Attachments#TAG_MISMATCH} when the tag does not verify (a wrong key or nonce, or
   *     changed bytes): nothing is left at the destination's place that was not there before
   * @throws UncheckedIOException when a file cannot be read or written (the temporary file is deleted too)
   */
  static void decrypt(Path ciphertext, byte[] key, byte[] nonce, Path destination) {
    Path partial = null;
    boolean moved = false;
    try {
      Path folder = destination.toAbsolutePath().getParent();
      partial = Files.createTempFile(folder, "." + destination.getFileName() + ".", ".partial");
      decryptInto(ciphertext, key, nonce, partial);
      moveIntoPlace(partial, destination);
      moved = true;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot decrypt into " + destination, e);
    } finally {
      if (!moved && partial != null) {
        deleteQuietly(partial);
      }
    }
  }

  private static void decryptInto(Path ciphertext, byte[] key, byte[] nonce, Path partial) throws IOException {
    byte[] chunk = new byte[CHUNK];
    try (FileChannel in = FileChannel.open(ciphertext, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(partial, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      long body = in.size() - AttachmentPointer.TAG_BYTES;
      if (body < 0) {
        throw tagMismatch("the ciphertext is shorter than a tag");
      }
      Aes256GcmDecryption gcm = new Aes256GcmDecryption(key, nonce, ASSOCIATED_DATA);
      for (long left = body; left > 0; ) {
        int read = readFully(in, chunk, (int) Math.min(CHUNK, left));
        if (read == 0) {
          throw new IOException(ciphertext + " shrank while it was decrypted");
        }
        gcm.decrypt(chunk, 0, read);
        writeFully(out, chunk, read);
        left -= read;
      }
      byte[] tag = new byte[AttachmentPointer.TAG_BYTES];
      if (readFully(in, tag, tag.length) != tag.length || !gcm.verifyTag(tag)) {
        throw tagMismatch("the GCM tag does not verify: wrong key, or changed bytes");
      }
      out.force(true);
    } catch (InvalidKeyException badKey) {
      throw tagMismatch("not an AES-256 key: " + badKey.getMessage());
    }
  }

  private static void moveIntoPlace(Path partial, Path destination) throws IOException {
    try {
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException notHere) {
      Files.move(partial, destination, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** SHA-256, which every JRE has. */
  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // a temporary file left behind is not worth failing for; it holds ciphertext or nothing verified
    }
  }

  private static CourierException tagMismatch(String why) {
    return new CourierException(Attachments.TAG_MISMATCH, 0, why, false, 0);
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  /** Reads up to {@code length} bytes into {@code buffer}, stopping early only at the end of the file. */
  private static int readFully(FileChannel in, byte[] buffer, int length) throws IOException {
    ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
    while (target.hasRemaining() && in.read(target) >= 0) {
      // keep reading: a channel may return fewer bytes than asked
    }
    return target.position();
  }

  private static void writeFully(FileChannel out, byte[] buffer, int length) throws IOException {
    ByteBuffer source = ByteBuffer.wrap(buffer, 0, length);
    while (source.hasRemaining()) {
      out.write(source);
    }
  }
}
