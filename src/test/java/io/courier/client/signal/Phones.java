package io.courier.client.signal;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The phones a test opened, each with its store in its own folder under a fresh temporary root, all closed (and
 * the root deleted) after the test: {@code @RegisterExtension final Phones phones = new Phones(SERVER);}.
 */
final class Phones implements AfterEachCallback {
  private final ServerExtension server;
  private final List<Phone> opened = new ArrayList<>();
  private Path root;

  Phones(ServerExtension server) {
    this.server = server;
  }

  /** The folder the phones' stores live under (one per test). */
  Path root() {
    try {
      if (root == null) {
        root = Files.createTempDirectory("courier-phones-");
      }
      return root;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Opens {@code session}'s messenger with its store in {@code folder}; closed after the test. */
  Phone open(Session session, String folder) {
    Phone phone = Phone.open(server, session, root().resolve(folder));
    opened.add(phone);
    return phone;
  }

  /** A new account named after {@code name}, its first device opened in the folder {@code name}. */
  Phone register(String name) {
    return open(server.accounts().register(name), name);
  }

  /** Closes {@code phone} now (a restart in the middle of a test). */
  void close(Phone phone) {
    opened.remove(phone);
    phone.close();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (Phone phone : opened) {
      WireClient.await(phone.messenger.close());
    }
    opened.clear();
    if (root != null) {
      try (var files = Files.walk(root)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (java.io.IOException e) {
        // a leftover temp folder is harmless
      }
      root = null;
    }
  }
}
