package io.courier.client.media;

import static io.courier.client.media.Device.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.CourierException;
import io.courier.client.Session;
import io.courier.media.S3Access;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.TcpProxy;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attachments between two real Devices through the real server and its embedded S3 store (S3Proxy checking SigV4):
 * the file goes through the store only, encrypted, and comes out whole; every check of the receiving side refuses
 * what it must. Parts are 4 MiB, so a 20 MiB file takes 6 of them.
 *
 * <p>Memory: the SDK holds one 64 KiB chunk per step whatever the file's size (see {@link Attachments}); the test
 * itself reads the 20 MiB file into memory to compare it with what the store holds.
 */
class AttachmentsEndToEndTest {

  static final int PART = 4 * 1024 * 1024;
  static final int MIB = 1024 * 1024;
  /** The server's {@code media.maxSize} here: room for the 20 MiB file and its tag. */
  static final int MAX_SIZE = 24 * 1024 * 1024;
  /** The server's {@code limits.maxFrameBytes}: no WebSocket message can be larger. */
  static final int MAX_FRAME_BYTES = 262_144;

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("media.partSize=" + PART,
      "media.maxSize=" + MAX_SIZE);

  @TempDir
  Path root;

  final List<AutoCloseable> cleanUp = new ArrayList<>();

  @AfterEach
  void closeEverything() throws Exception {
    Collections.reverse(cleanUp);
    for (AutoCloseable closeable : cleanUp) {
      closeable.close();
    }
  }

  @Test
  void aTwentyMebibyteFileGoesFromAliceToBobThroughTheStoreOnlyAndEncrypted() throws Exception {
    TcpProxy aliceLine = proxy();
    TcpProxy bobLine = proxy();
    Device alice = device("alice", aliceLine);
    Device bob = device("bob", bobLine);
    Path file = randomFile("holiday.mp4", 20 * MIB);
    long aliceBefore = aliceLine.upstreamBytes() + aliceLine.downstreamBytes();
    long bobBefore = bobLine.upstreamBytes() + bobLine.downstreamBytes();
    List<long[]> uploaded = Collections.synchronizedList(new ArrayList<>());
    List<long[]> downloaded = Collections.synchronizedList(new ArrayList<>());

    SentAttachment sent = await(Attachments.send(alice.messenger, bob.account(), file, "video/mp4",
        (done, total) -> uploaded.add(new long[] {done, total})));
    Poll.until(Device.WAIT, () -> bob.messages.size() == 1, () -> "the pointer reaches Bob: " + bob.undecryptable);
    AttachmentPointer pointer = Attachments.pointerIn(bob.message(0)).orElseThrow();
    Path saved = await(Attachments.download(bob.messenger, pointer,
        root.resolve("bob-downloads").resolve(pointer.safeFileName()),
        (done, total) -> downloaded.add(new long[] {done, total})));

    assertThat(saved).isEqualTo(root.resolve("bob-downloads").resolve("holiday.mp4"));
    assertThat(Files.mismatch(file, saved)).as("Bob's bytes are Alice's").isEqualTo(-1L);
    assertThat(filesIn(saved.getParent())).as("no temporary file is left").containsExactly("holiday.mp4");
    assertThat(pointer).isEqualTo(sent.pointer());
    assertThat(bob.message(0).id()).isEqualTo(sent.sent().id());
    assertThat(pointer.plaintextSize()).isEqualTo(20 * MIB);
    assertThat(pointer.ciphertextSize()).isEqualTo(20 * MIB + 16);
    assertThat(pointer.contentType()).isEqualTo("video/mp4");
    assertThat(pointer.fileName()).isEqualTo("holiday.mp4");
    assertProgressRisesTo(uploaded, 20 * MIB + 16);
    assertProgressRisesTo(downloaded, 20 * MIB + 16);

    // The server's WebSocket and REST API carried the pointer and a few calls, never the file.
    long aliceToServer = aliceLine.upstreamBytes() + aliceLine.downstreamBytes() - aliceBefore;
    long bobToServer = bobLine.upstreamBytes() + bobLine.downstreamBytes() - bobBefore;
    assertThat(aliceToServer).as("bytes between Alice and the server while she sent 20 MiB")
        .isLessThan(MAX_FRAME_BYTES);
    assertThat(bobToServer).as("bytes between Bob and the server while he got 20 MiB").isLessThan(MAX_FRAME_BYTES);

    // The store holds exactly the ciphertext the pointer names, in 6 parts, and no piece of the plaintext; the
    // uploaded parts were removed once completion had copied them.
    List<String> objects = storedObjects(pointer.id() + "/");
    assertThat(objects).hasSize(6);
    assertThat(storedObjects("up/" + pointer.id() + "/")).isEmpty();
    byte[] stored = storedCiphertext(objects);
    assertThat(stored).hasSize(20 * MIB + 16);
    assertThat(MessageDigest.getInstance("SHA-256").digest(stored)).isEqualTo(pointer.digest());
    assertNoPlaintextWindow(Files.readAllBytes(file), stored);
  }

  @Test
  void aPointerWhoseDigestIsNotTheStoredCiphertextsIsRefusedBeforeDecryptingAndNothingIsSaved() throws Exception {
    Device alice = device("alice", proxy());
    Device bob = device("bob", proxy());
    Path file = randomFile("contract.pdf", 3 * MIB);
    AttachmentPointer sent = await(Attachments.send(alice.messenger, bob.account(), file, "application/pdf",
        Progress.NONE)).pointer();
    byte[] otherDigest = sent.digest();
    otherDigest[31] ^= 1;
    AttachmentPointer tampered = new AttachmentPointer(sent.id(), sent.key(), sent.nonce(), otherDigest,
        sent.plaintextSize(), sent.ciphertextSize(), sent.contentType(), sent.fileName());
    Path folder = root.resolve("bob-downloads");

    assertThatThrownBy(() -> await(Attachments.download(bob.messenger, tampered, folder.resolve("contract.pdf"),
        Progress.NONE)))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(Attachments.DIGEST_MISMATCH));
    assertThat(filesIn(folder)).as("neither the file nor a temporary file").isEmpty();
  }

  @Test
  void aPointerWithAnotherKeyFailsTheTagAndNothingIsSaved() throws Exception {
    Device alice = device("alice", proxy());
    Device bob = device("bob", proxy());
    Path file = randomFile("diary.txt", 5 * MIB);
    AttachmentPointer sent = await(Attachments.send(alice.messenger, bob.account(), file, "text/plain",
        Progress.NONE)).pointer();
    byte[] otherKey = sent.key();
    otherKey[0] ^= 1;
    AttachmentPointer wrongKey = new AttachmentPointer(sent.id(), otherKey, sent.nonce(), sent.digest(),
        sent.plaintextSize(), sent.ciphertextSize(), sent.contentType(), sent.fileName());
    Path folder = root.resolve("bob-downloads");

    assertThatThrownBy(() -> await(Attachments.download(bob.messenger, wrongKey, folder.resolve("diary.txt"),
        Progress.NONE)))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(Attachments.TAG_MISMATCH));
    assertThat(filesIn(folder)).as("the decrypted output was deleted").isEmpty();
  }

  @Test
  void aFileAboveTheServersLimitIsRefusedBeforeItIsEncryptedAndNoPointerIsSent() throws Exception {
    Device alice = device("alice", proxy());
    Device bob = device("bob", proxy());
    Path file = root.resolve("too-big.iso");
    try (var sparse = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      sparse.setLength(MAX_SIZE - 15); // with the tag, one byte too many
    }

    assertThatThrownBy(() -> await(Attachments.send(alice.messenger, bob.account(), file, null, Progress.NONE)))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo("ATTACHMENT_TOO_LARGE"));
    assertThat(bob.messages).isEmpty();
  }

  @Test
  void anEmptyFileGoesThroughAsJustItsTag() throws Exception {
    Device alice = device("alice", proxy());
    Device bob = device("bob", proxy());
    Path file = randomFile("empty.txt", 0);

    await(Attachments.send(alice.messenger, bob.account(), file, "text/plain", Progress.NONE));
    Poll.until(Device.WAIT, () -> bob.messages.size() == 1, () -> "the pointer reaches Bob");
    AttachmentPointer pointer = Attachments.pointerIn(bob.message(0)).orElseThrow();

    assertThat(pointer.ciphertextSize()).isEqualTo(16);
    assertThat(receive(bob, pointer, "empty.txt")).isEmptyFile();
  }

  @Test
  void anUnknownAttachmentIsRefusedByTheServer() {
    Device bob = device("bob", proxy());
    AttachmentPointer unknown = new AttachmentPointer("AAAAAAAAAAAAAAAAAAAAAA", new byte[32], new byte[12],
        new byte[32], 10, 26, null, "x");

    assertThatThrownBy(() -> await(Attachments.download(bob.messenger, unknown, root.resolve("x"), Progress.NONE)))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo("UNKNOWN_ATTACHMENT"));
  }

  @Test
  void aPartWhoseFormTheStoreRefusesGetsFreshFormsAndOnlyTheMissingPartsAreSentAgain() throws Exception {
    Device alice = device("alice", proxy());
    Device bob = device("bob", proxy());
    Path file = randomFile("scan.tiff", 2 * PART + 1000);
    Path ciphertext = root.resolve("scan.encrypted");
    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(file, ciphertext);
    AttachmentsApi api = new AttachmentsApi(alice.messenger.api());
    Descriptors forms = await(api.create(sealed.ciphertextSize()));
    // part 2's request carries a signature the server did not make: the store answers 403, as for an expired one
    Descriptors refusedForPart2 = withPart(forms, 2, part -> new Descriptors.PartRequest(part.part(), part.method(),
        flipSignature(part.url()), part.fields(), part.headers()));
    List<long[]> progress = Collections.synchronizedList(new ArrayList<>());

    await(transfer(alice, store -> new Upload(alice.messenger.vertx(), api, store,
        (done, total) -> progress.add(new long[] {done, total})).send(ciphertext, refusedForPart2)));

    assertThat(progress.stream().dropWhile(step -> step[0] < PART).mapToLong(step -> step[0]).min().orElseThrow())
        .as("once part 1 is stored, it is not sent again").isGreaterThanOrEqualTo(PART);
    assertThat(progress.get(progress.size() - 1)).containsExactly(sealed.ciphertextSize(), sealed.ciphertextSize());
    assertThat(receive(bob, pointer(forms.id(), sealed, "scan.tiff"), "scan.tiff")).hasSameBinaryContentAs(file);
  }

  @Test
  void aPartCutOffByTheNetworkIsSentAgain() throws Exception {
    Device alice = device("alice", proxy());
    Device bob = device("bob", proxy());
    Path file = randomFile("song.flac", PART + 5000);
    Path ciphertext = root.resolve("song.encrypted");
    AttachmentCipher.Sealed sealed = AttachmentCipher.encrypt(file, ciphertext);
    AttachmentsApi api = new AttachmentsApi(alice.messenger.api());
    Descriptors forms = await(api.create(sealed.ciphertextSize()));
    java.net.URI store = java.net.URI.create(forms.part(1).url());
    TcpProxy storeLine = TcpProxy.start(store.getHost(), store.getPort());
    cleanUp.add(storeLine);
    storeLine.holdDownstream(); // the store's answer to the first try never arrives

    // a presigned PUT's signature covers the store's host: the parts go through the line as through an HTTP proxy,
    // so each request still names the store's host
    var upload = transfer(alice, storeLine, transfers -> new Upload(alice.messenger.vertx(), api, transfers,
        Progress.NONE).send(ciphertext, forms));
    storeLine.awaitUpstreamBytesAtLeast(PART, Device.WAIT);
    storeLine.cutAll(); // then the connection breaks: the part is sent again on a new one
    await(upload);

    assertThat(storeLine.acceptedConnections()).isGreaterThanOrEqualTo(2);
    assertThat(receive(bob, pointer(forms.id(), sealed, "song.flac"), "song.flac")).hasSameBinaryContentAs(file);
  }

  // ---------------------------------------------------------------- helpers

  private Device device(String name, TcpProxy line) {
    Session session = SERVER.accounts().register(name);
    Device device = Device.open(SERVER, session, root.resolve(session.account()), line.port());
    cleanUp.add(device::close);
    return device;
  }

  private TcpProxy proxy() {
    TcpProxy proxy = TcpProxy.start(SERVER.port());
    cleanUp.add(proxy);
    return proxy;
  }

  /** Runs a package-level transfer with its own store client, as {@link Attachments} does. */
  private static <T> io.vertx.core.Future<T> transfer(Device device,
      java.util.function.Function<StoreTransfers, io.vertx.core.Future<T>> body) {
    var http = device.messenger.vertx().createHttpClient();
    return body.apply(new StoreTransfers(http)).eventually(http::close);
  }

  /** The same, the store client sending every request through {@code line}, used as its HTTP proxy. */
  private static <T> io.vertx.core.Future<T> transfer(Device device, TcpProxy line,
      java.util.function.Function<StoreTransfers, io.vertx.core.Future<T>> body) {
    var http = device.messenger.vertx().createHttpClient(new io.vertx.core.http.HttpClientOptions().setProxyOptions(
        new io.vertx.core.net.ProxyOptions().setType(io.vertx.core.net.ProxyType.HTTP).setHost("127.0.0.1")
            .setPort(line.port())));
    return body.apply(new StoreTransfers(http)).eventually(http::close);
  }

  /** The same presigned URL with one character of its signature changed. */
  private static String flipSignature(String url) {
    String signature = url.substring(url.indexOf("X-Amz-Signature=") + "X-Amz-Signature=".length());
    return url.replace(signature, (signature.charAt(0) == 'a' ? "b" : "a") + signature.substring(1));
  }

  private Path receive(Device bob, AttachmentPointer pointer, String name) {
    return await(Attachments.download(bob.messenger, pointer, root.resolve("bob-downloads").resolve(name),
        Progress.NONE));
  }

  private static AttachmentPointer pointer(String id, AttachmentCipher.Sealed sealed, String name) {
    return new AttachmentPointer(id, sealed.key(), sealed.nonce(), sealed.digest(), sealed.plaintextSize(),
        sealed.ciphertextSize(), null, name);
  }

  private static Descriptors withPart(Descriptors forms, int number,
      java.util.function.UnaryOperator<Descriptors.PartRequest> change) {
    return new Descriptors(forms.id(), forms.size(), forms.partSize(), forms.expiresIn(), forms.parts().stream()
        .map(part -> part.part() == number ? change.apply(part) : part).toList(), forms.receivedAt());
  }

  private Path randomFile(String name, int size) throws IOException {
    Path file = root.resolve("alice-files").resolve(name);
    Files.createDirectories(file.getParent());
    Random random = new Random(size);
    byte[] chunk = new byte[MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int left = size; left > 0; left -= chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, Math.min(left, chunk.length));
      }
    }
    return file;
  }

  private static void assertProgressRisesTo(List<long[]> steps, long total) {
    assertThat(steps).isNotEmpty().allSatisfy(step -> assertThat(step[1]).isEqualTo(total));
    long[] done = steps.stream().mapToLong(step -> step[0]).toArray();
    long[] sorted = done.clone();
    Arrays.sort(sorted);
    assertThat(done).as("no retry happened, so progress only rises").isEqualTo(sorted);
    assertThat(done[done.length - 1]).isEqualTo(total);
  }

  /**
   * No 4 KiB window of the plaintext occurs anywhere in the stored bytes. Every 4 KiB window contains a 2 KiB block
   * aligned at a multiple of 2 KiB, so it is enough that no aligned 2 KiB block occurs at any offset: a rolling
   * hash over the stored bytes, checked against the blocks' hashes, then compared byte by byte on a hit.
   */
  private static void assertNoPlaintextWindow(byte[] plaintext, byte[] stored) {
    int block = 2048;
    Set<Long> blocks = new HashSet<>();
    for (int at = 0; at + block <= plaintext.length; at += block) {
      blocks.add(hash(plaintext, at, block));
    }
    long power = 1;
    for (int i = 0; i < block - 1; i++) {
      power *= 31;
    }
    long rolling = hash(stored, 0, block);
    for (int at = 0; at + block <= stored.length; at++) {
      if (at > 0) {
        rolling = (rolling - stored[at - 1] * power) * 31 + stored[at + block - 1];
      }
      if (blocks.contains(rolling)) {
        for (int from = 0; from + block <= plaintext.length; from += block) {
          assertThat(Arrays.equals(plaintext, from, from + block, stored, at, at + block))
              .as("plaintext bytes %d.. stored at %d", from, at).isFalse();
        }
      }
    }
  }

  private static long hash(byte[] bytes, int from, int length) {
    long hash = 0;
    for (int i = from; i < from + length; i++) {
      hash = hash * 31 + bytes[i];
    }
    return hash;
  }

  /**
   * The keys of the objects stored under {@code prefix}, read from the store itself (without the folders that
   * S3Proxy's filesystem store lists as {@code name/}).
   */
  private static List<String> storedObjects(String prefix) throws Exception {
    List<String> keys = new ArrayList<>();
    for (Result<Item> item : store().listObjects(ListObjectsArgs.builder().bucket(bucket()).prefix(prefix)
        .recursive(true).build())) {
      if (!item.get().objectName().endsWith("/")) {
        keys.add(item.get().objectName());
      }
    }
    return keys;
  }

  /** The parts at {@code keys} ({@code .../<part>}) as the store holds them, read with its credentials, joined. */
  private static byte[] storedCiphertext(List<String> keys) throws Exception {
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    List<String> inOrder = keys.stream().sorted(java.util.Comparator.comparingInt(
        key -> Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)))).toList();
    for (String key : inOrder) {
      try (InputStream in = store().getObject(GetObjectArgs.builder().bucket(bucket()).object(key).build())) {
        in.transferTo(whole);
      }
    }
    return whole.toByteArray();
  }

  private static MinioClient store() {
    S3Access s3 = SERVER.server().s3();
    return MinioClient.builder().endpoint(s3.endpoint()).region(SERVER.server().config().media().region())
        .credentials(s3.accessKey(), s3.secretKey()).build();
  }

  private static String bucket() {
    return SERVER.server().config().media().bucket();
  }

  private static List<String> filesIn(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(folder)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }
}
