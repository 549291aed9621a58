package io.courier.client.media;

import io.courier.client.Session;
import io.courier.client.signal.DecryptedMessage;
import io.courier.client.signal.MessengerListener;
import io.courier.client.signal.MessengerOptions;
import io.courier.client.signal.SecureMessenger;
import io.courier.testing.ServerExtension;
import io.vertx.core.Future;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Device of an attachment test: a {@link SecureMessenger} on the test server (through a given port, e.g. a
 * {@link io.courier.testing.TcpProxy}'s, to count what it sends) and the messages its app got.
 */
final class Device implements MessengerListener {

  static final Duration WAIT = Duration.ofSeconds(60);

  final List<DecryptedMessage> messages = Collections.synchronizedList(new ArrayList<>());
  final List<String> undecryptable = Collections.synchronizedList(new ArrayList<>());
  final Session session;
  SecureMessenger messenger;

  private Device(Session session) {
    this.session = session;
  }

  /** Opens the messenger of {@code session}, talking to the server on {@code port}, its store under {@code root}. */
  static Device open(ServerExtension server, Session session, Path root, int port) {
    Device device = new Device(session);
    MessengerOptions options = MessengerOptions.create(URI.create("http://127.0.0.1:" + port), session, root)
        .withListener(device)
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    device.messenger = await(SecureMessenger.open(server.vertx(), options));
    return device;
  }

  String account() {
    return session.account();
  }

  DecryptedMessage message(int index) {
    return messages.get(index);
  }

  void close() {
    await(messenger.close());
  }

  @Override
  public void onMessage(DecryptedMessage message) {
    messages.add(message);
  }

  @Override
  public void onUndecryptable(String from, int fromDevice, String id, String reason) {
    undecryptable.add(from + "." + fromDevice + " " + id + ": " + reason);
  }

  /** The future's result within {@link #WAIT}; its failure rethrown as is when it is a runtime exception. */
  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
      throw new AssertionError("no result within " + WAIT, e);
    }
  }
}
