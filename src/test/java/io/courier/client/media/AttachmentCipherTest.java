package io.courier.client.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.CourierException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming AES-256-GCM of attachments and the digest check of downloads, on local files. */
class AttachmentCipherTest {

  /** Several chunks and a short last one. */
  static final int SIZE = 5 * AttachmentCipher.CHUNK + 1234;

  static Vertx vertx;

  @TempDir
  Path dir;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void aMultiChunkFileRoundTripsAndItsDigestIsTheCiphertextsSha256() throws Exception {
    Path plain = randomFile("photo.jpg", SIZE);
    Path cipher = dir.resolve("photo.enc");

    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(plain, cipher);

    assertThat(sealed.plaintextSize()).isEqualTo(SIZE);
    assertThat(sealed.ciphertextSize()).isEqualTo(SIZE + 16L).isEqualTo(Files.size(cipher));
    assertThat(sealed.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(cipher)));
    assertThat(sealed.key()).hasSize(32);
    assertThat(sealed.nonce()).hasSize(12);
    assertThat(Arrays.equals(Files.readAllBytes(plain), 0, SIZE, Files.readAllBytes(cipher), 0, SIZE)).isFalse();

    Path out = dir.resolve("saved").resolve("photo.jpg");
    Files.createDirectories(out.getParent());
    AttachmentCipher.decrypt(cipher, sealed.key(), sealed.nonce(), out);

    assertThat(Files.mismatch(plain, out)).isEqualTo(-1L);
    assertThat(filesIn(out.getParent())).containsExactly("photo.jpg");
  }

  @Test
  void anEmptyFileBecomesJustATag() {
    Path plain = randomFile("empty", 0);
    Path cipher = dir.resolve("empty.enc");

    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(plain, cipher);
    AttachmentCipher.decrypt(cipher, sealed.key(), sealed.nonce(), dir.resolve("out"));

    assertThat(sealed.ciphertextSize()).isEqualTo(16);
    assertThat(dir.resolve("out")).isEmptyFile();
  }

  @Test
  void everyFileGetsItsOwnKeyAndNonce() {
    Path plain = randomFile("same", 1000);

    AttachmentCipher.Sealed first = AttachmentCipher.encrypt(plain, dir.resolve("1.enc"));
    AttachmentCipher.Sealed second = AttachmentCipher.encrypt(plain, dir.resolve("2.enc"));

    assertThat(first.key()).isNotEqualTo(second.key());
    assertThat(first.nonce()).isNotEqualTo(second.nonce());
    assertThat(first.digest()).isNotEqualTo(second.digest());
  }

  @Test
  void aFlippedCiphertextByteFailsTheDigestCheckOfADownload() throws Exception {
    Path plain = randomFile("video.mp4", SIZE);
    Path cipher = dir.resolve("video.enc");
    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(plain, cipher);
    flipByte(cipher, 3 * AttachmentCipher.CHUNK + 7);
    Path downloaded = dir.resolve("video.download");

    CiphertextSink sink = CiphertextSink.open(vertx, downloaded).await(10, TimeUnit.SECONDS);
    try (InputStream in = Files.newInputStream(cipher)) {
      for (byte[] chunk = in.readNBytes(10_000); chunk.length > 0; chunk = in.readNBytes(10_000)) {
        sink.write(Buffer.buffer(chunk)).await(10, TimeUnit.SECONDS);
      }
    }

    assertThatThrownBy(() -> sink.finish(sealed.digest(), sealed.ciphertextSize()).await(10, TimeUnit.SECONDS))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(Attachments.DIGEST_MISMATCH));
    sink.delete().await(10, TimeUnit.SECONDS);
    assertThat(downloaded).doesNotExist();
  }

  @Test
  void aPartFetchedAgainAfterARollbackGivesTheDigestOfTheWholeFile() throws Exception {
    Path plain = randomFile("doc.pdf", SIZE);
    Path cipher = dir.resolve("doc.enc");
    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(plain, cipher);
    byte[] bytes = Files.readAllBytes(cipher);
    int half = bytes.length / 2;

    CiphertextSink sink = CiphertextSink.open(vertx, dir.resolve("doc.download")).await(10, TimeUnit.SECONDS);
    sink.write(Buffer.buffer(Arrays.copyOfRange(bytes, 0, half))).await(10, TimeUnit.SECONDS);
    sink.mark();
    sink.write(Buffer.buffer(Arrays.copyOfRange(bytes, half, half + 5000))).await(10, TimeUnit.SECONDS);
    sink.rollback(); // the second part broke off after 5000 bytes: fetch it again from its start
    sink.write(Buffer.buffer(Arrays.copyOfRange(bytes, half, bytes.length))).await(10, TimeUnit.SECONDS);
    sink.finish(sealed.digest(), sealed.ciphertextSize()).await(10, TimeUnit.SECONDS);

    assertThat(Files.readAllBytes(sink.path())).isEqualTo(bytes);
  }

  @Test
  void aWrongKeyFailsTheTagAndLeavesNoOutput() throws Exception {
    Path plain = randomFile("secret.txt", SIZE);
    Path cipher = dir.resolve("secret.enc");
    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(plain, cipher);
    byte[] wrongKey = sealed.key();
    wrongKey[0] ^= 1;
    Path out = Files.createDirectories(dir.resolve("out")).resolve("secret.txt");

    assertThatThrownBy(() -> AttachmentCipher.decrypt(cipher, wrongKey, sealed.nonce(), out))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(Attachments.TAG_MISMATCH));
    assertThat(filesIn(out.getParent())).as("no output, no partial file").isEmpty();
  }

  @Test
  void aChangedCiphertextFailsTheTagAndTheDecryptedOutputIsDeleted() throws Exception {
    Path plain = randomFile("notes.txt", SIZE);
    Path cipher = dir.resolve("notes.enc");
    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(plain, cipher);
    flipByte(cipher, SIZE - 1); // the last byte of plaintext: everything before it decrypts and is written first
    Path out = Files.createDirectories(dir.resolve("out")).resolve("notes.txt");
    Files.writeString(out, "what was there before");

    assertThatThrownBy(() -> AttachmentCipher.decrypt(cipher, sealed.key(), sealed.nonce(), out))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(Attachments.TAG_MISMATCH));
    assertThat(filesIn(out.getParent())).as("the decrypted output is gone").containsExactly("notes.txt");
    assertThat(out).hasContent("what was there before");
  }

  @Test
  void aTruncatedCiphertextFailsTheTag() throws Exception {
    Path cipher = dir.resolve("short.enc");
    Files.write(cipher, new byte[10]);
    Path out = dir.resolve("short");

    assertThatThrownBy(() -> AttachmentCipher.decrypt(cipher, new byte[32], new byte[12], out))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(Attachments.TAG_MISMATCH));
    assertThat(out).doesNotExist();
  }

  private Path randomFile(String name, int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    try {
      return Files.write(dir.resolve(name), bytes);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static void flipByte(Path file, int at) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[at] ^= 0x01;
    Files.write(file, bytes);
  }

  private static java.util.List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }
}
