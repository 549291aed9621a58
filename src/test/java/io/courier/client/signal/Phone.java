package io.courier.client.signal;

import io.courier.client.Receipt;
import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One Device of an end-to-end test: a {@link SecureMessenger} on the test server and what its app saw, in order.
 * Messages read as {@code "from -> to: text"} ({@code to} is "me" for a message to this Account).
 */
final class Phone implements MessengerListener {

  static final Duration WAIT = Duration.ofSeconds(20);

  final List<DecryptedMessage> messages = Collections.synchronizedList(new ArrayList<>());
  final List<String> undecryptable = Collections.synchronizedList(new ArrayList<>());
  /** "account: safety number" per identity change reported. */
  final List<String> identityChanges = Collections.synchronizedList(new ArrayList<>());
  final List<Receipt> receipts = Collections.synchronizedList(new ArrayList<>());
  final Session session;
  final Path root;
  SecureMessenger messenger;

  private Phone(Session session, Path root) {
    this.session = session;
    this.root = root;
  }

  /** Opens the messenger of {@code session} with its store under {@code root}. */
  static Phone open(ServerExtension server, Session session, Path root) {
    Phone phone = new Phone(session, root);
    MessengerOptions options = MessengerOptions.create(URI.create(server.baseUri()), session, root)
        .withListener(phone)
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    phone.messenger = WireClient.await(SecureMessenger.open(server.vertx(), options));
    return phone;
  }

  /** Links a new Device to {@code existing}'s Account, as a user typing the offered text would; not opened yet. */
  static Session link(ServerExtension server, Phone existing, Path root) {
    LinkOffer offer = WireClient.await(existing.messenger.offerLink());
    return WireClient.await(SecureMessenger.link(server.vertx(), URI.create(server.baseUri()), offer.text(),
        "tablet", root));
  }

  String account() {
    return session.account();
  }

  int device() {
    return session.device();
  }

  /** Sends {@code text} and waits for the server's {@code sent}; returns the message id. */
  String send(String to, String text) {
    return WireClient.await(messenger.send(to, text.getBytes(StandardCharsets.UTF_8))).id();
  }

  /** What the app shows: {@code "from -> to: text"}. */
  List<String> shown() {
    synchronized (messages) {
      return messages.stream().map(Phone::line).toList();
    }
  }

  List<String> ids() {
    synchronized (messages) {
      return messages.stream().map(DecryptedMessage::id).toList();
    }
  }

  static String line(DecryptedMessage message) {
    return message.from() + " -> " + (message.to() == null ? "me" : message.to()) + ": "
        + new String(message.plaintext(), StandardCharsets.UTF_8);
  }

  void close() {
    WireClient.await(messenger.close());
  }

  @Override
  public void onMessage(DecryptedMessage message) {
    messages.add(message);
  }

  @Override
  public void onUndecryptable(String from, int fromDevice, String id, String reason) {
    undecryptable.add(from + "." + fromDevice + " " + id + ": " + reason);
  }

  @Override
  public void onReceipt(Receipt receipt) {
    receipts.add(receipt);
  }

  /** Whether a receipt of {@code kind} for message {@code id} arrived. */
  boolean hasReceipt(String kind, String id) {
    synchronized (receipts) {
      return receipts.stream().anyMatch(receipt -> receipt.kind().equals(kind) && receipt.ids().contains(id));
    }
  }

  @Override
  public void onIdentityChanged(String account, String safetyNumber) {
    identityChanges.add(account + ": " + safetyNumber);
  }
}
