package io.courier.cli;

import io.courier.client.AccountApi;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.client.TokenSource;
import io.courier.client.signal.MessengerOptions;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One command's view of the local state for a server: the saved sessions and Signal stores under {@code --home},
 * the default folder for received attachments ({@code <home>/downloads}), and a Vert.x to run the SDK on. Opening a
 * messenger connects the device; whatever arrives is shown by the {@link Screen}, since a delivered message is acked
 * and must reach the user; for the same reason {@link #finish} waits for the attachments being saved.
 */
final class Workspace implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final URI server;
  final SessionStore sessions;
  final AccountApi accounts;
  /** Where received attachments are saved unless a command says otherwise. */
  final Path downloads;
  private final Map<SecureMessenger, Screen> screens = new IdentityHashMap<>();

  Workspace(CourierCli cli) {
    this.server = URI.create(cli.server);
    this.sessions = new SessionStore(cli.home, server);
    this.accounts = new AccountApi(vertx, server);
    this.downloads = cli.home.resolve("downloads");
  }

  /** The saved session of {@code account}, or a clear failure telling the user what to run. */
  Session session(String account) {
    Session session = sessions.find(account);
    if (session == null) {
      throw new IllegalStateException("no device of " + account + " on this machine: run 'courier login " + account
          + "' or 'courier link'");
    }
    return session;
  }

  /** Connects the saved device of {@code account}; refreshed tokens are saved as they rotate. */
  SecureMessenger open(String account, Screen screen) {
    return open(session(account), screen);
  }

  SecureMessenger open(Session session, Screen screen) {
    SessionTokenSource source = new SessionTokenSource(accounts, session);
    TokenSource tokens = refresh -> source.token(refresh).andThen(t -> sessions.save(source.session()));
    screen.defaultDownloads(downloads);
    SecureMessenger messenger = SecureMessenger.open(vertx, MessengerOptions.create(server, session,
        sessions.storeRoot()).withTokens(tokens).withListener(screen)).await();
    screen.attach(messenger);
    screens.put(messenger, screen);
    return messenger;
  }

  /** Logs in as a new device, saves the session, and sets up its keys. */
  Session login(String account, String password, Screen screen) {
    Session session = accounts.login(account, password, "courier-cli").await();
    sessions.save(session);
    close(open(session, screen));
    return session;
  }

  static void close(SecureMessenger messenger) {
    messenger.close().await();
  }

  /** Waits until the attachments that arrived are saved (or failed), then closes the messenger. */
  /** What a command does with a connected messenger; returns the exit code. */
  @FunctionalInterface
  interface MessengerTask {
    int run(SecureMessenger messenger) throws Exception;
  }

  /** Connects {@code account}'s device, runs {@code task}, then finishes (see {@link #finish}) whatever happens. */
  int withMessenger(String account, Screen screen, MessengerTask task) throws Exception {
    SecureMessenger messenger = open(account, screen);
    try {
      return task.run(messenger);
    } finally {
      finish(messenger);
    }
  }

  void finish(SecureMessenger messenger) {
    Screen screen = screens.remove(messenger);
    try {
      if (screen != null) {
        screen.downloadsSettled().await();
      }
    } finally {
      close(messenger);
    }
  }

  <T> T await(Future<T> future) {
    return future.await();
  }

  @Override
  public void close() {
    accounts.close();
    vertx.close().await();
  }
}
