package io.courier.client.media;

import io.courier.client.AccountApi;
import io.courier.client.Session;
import io.courier.client.signal.DecryptedMessage;
import io.courier.client.signal.MessengerListener;
import io.courier.client.signal.MessengerOptions;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * The child JVM of {@link AttachmentsMemoryTest}: with a heap far smaller than the file, two new accounts on the
 * given server send it end to end (encrypt, upload, pointer, download, digest check, decrypt). Prints
 * {@code same <sha256>} when Bob's file is Alice's, and the peak heap; exits 0 on success.
 *
 * <p>Arguments: server URI, work folder, file size in MiB, Alice's account name, Bob's account name, password.
 */
public final class BoundedHeapTransfer {

  private BoundedHeapTransfer() {
  }

  public static void main(String[] args) throws Exception {
    URI server = URI.create(args[0]);
    Path work = Path.of(args[1]);
    int mebibytes = Integer.parseInt(args[2]);
    Vertx vertx = Vertx.vertx();
    AccountApi accounts = new AccountApi(vertx, server);
    try {
      Session alice = register(accounts, args[3], args[5]);
      Session bob = register(accounts, args[4], args[5]);
      Promise<DecryptedMessage> received = Promise.promise();
      SecureMessenger aliceMessenger = SecureMessenger.open(vertx, MessengerOptions.create(server, alice,
          work.resolve("alice"))).await();
      SecureMessenger bobMessenger = SecureMessenger.open(vertx, MessengerOptions.create(server, bob,
          work.resolve("bob")).withListener(new MessengerListener() {
            @Override
            public void onMessage(DecryptedMessage message) {
              received.tryComplete(message);
            }
          })).await();
      Path file = randomFile(work.resolve("big.bin"), mebibytes);

      Attachments.send(aliceMessenger, bob.account(), file, null, Progress.NONE).await();
      AttachmentPointer pointer = Attachments.pointerIn(received.future().await()).orElseThrow();
      Path saved = Attachments.download(bobMessenger, pointer, work.resolve("saved").resolve("big.bin"),
          Progress.NONE).await();

      String sent = sha256(file);
      System.out.println((sent.equals(sha256(saved)) ? "same " : "DIFFERENT ") + sent);
      System.out.println("peak heap " + peakHeapMebibytes() + " MiB of " + Runtime.getRuntime().maxMemory()
          / (1024 * 1024) + " MiB");
      aliceMessenger.close().await();
      bobMessenger.close().await();
    } finally {
      accounts.close();
      vertx.close().await();
    }
  }

  private static Session register(AccountApi accounts, String name, String password) {
    accounts.register(name, password).await();
    return accounts.login(name, password, "heap-check").await();
  }

  private static Path randomFile(Path file, int mebibytes) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] chunk = new byte[1024 * 1024];
    Random random = new Random(mebibytes);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (int i = 0; i < mebibytes; i++) {
        random.nextBytes(chunk);
        out.write(chunk);
      }
    }
    return file;
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int read = in.read(chunk); read > 0; read = in.read(chunk)) {
        digest.update(chunk, 0, read);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static long peakHeapMebibytes() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak / (1024 * 1024);
  }
}
