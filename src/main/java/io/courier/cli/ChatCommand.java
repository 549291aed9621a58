package io.courier.cli;

import io.courier.client.AccountApi;
import io.courier.client.ClientListener;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.IncomingMessage;
import io.courier.client.Receipt;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.client.TokenSource;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code courier chat USERNAME --to OTHER}: shows incoming messages (and marks them read) and the ticks of sent
 * ones; each line typed is sent to {@code --to}. At the end of input it waits until every line is stored and the
 * backlog waiting at connect time has been shown.
 */
@Command(name = "chat", description = "Chat from the terminal: type a line to send it.")
final class ChatCommand implements Callable<Integer> {
  @ParentCommand
  CourierCli cli;

  @Parameters(index = "0", description = "your username")
  String username;

  @Option(names = "--password", description = "password, for the first log-in on this machine (else "
      + "$COURIER_PASSWORD, else asked)")
  String password;

  @Option(names = "--to", description = "who to send lines to: ACCOUNT (device 1) or ACCOUNT:DEVICE")
  String to;

  @Override
  public Integer call() throws IOException {
    Vertx vertx = Vertx.vertx();
    CourierClient client = null;
    try {
      URI server = URI.create(cli.server);
      AccountApi api = new AccountApi(vertx, server);
      SessionStore store = new SessionStore(cli.home, server);
      Session session = store.find(username);
      if (session == null) {
        session = api.login(username, Passwords.resolve(password, cli), "courier-cli").await();
        store.save(session);
      }
      SessionTokenSource source = new SessionTokenSource(api, session);
      // Refresh tokens are single-use: keep the rotated one for the next run.
      TokenSource tokens = refresh -> source.token(refresh).andThen(t -> store.save(source.session()));
      cli.out.println("note: this demo sends text unencrypted inside the envelope; end-to-end encryption comes "
          + "with the libsignal client");
      Printer printer = new Printer();
      client = new CourierClient(vertx, ClientOptions.create(server, tokens).withListener(printer));
      CourierClient connected = client;
      printer.client = connected;
      connected.connect().await();
      cli.out.println("connected as " + session.account() + " device " + session.device()
          + (to == null ? "" : "; lines go to " + to));
      List<Future<?>> sends = new ArrayList<>();
      for (String line = cli.in.readLine(); line != null; line = cli.in.readLine()) {
        if (to != null && !line.isBlank()) {
          sends.add(send(connected, line));
        }
      }
      // End of input: wait until every line is stored and the waiting backlog has been shown.
      sends.add(printer.drained.future());
      Future.join(new ArrayList<>(sends)).await();
      return 0;
    } catch (RuntimeException e) {
      cli.out.println("chat failed: " + e.getMessage());
      return 1;
    } finally {
      if (client != null) {
        client.close().await();
      }
      vertx.close();
    }
  }

  private Future<?> send(CourierClient client, String line) {
    String[] target = to.split(":", 2);
    int device = target.length == 2 ? Integer.parseInt(target[1]) : 1;
    return client.send(target[0], Map.of(device, line.getBytes(StandardCharsets.UTF_8)))
        .onSuccess(sent -> cli.out.println("  sent      " + sent.id()))
        .onFailure(e -> cli.out.println("  not sent: " + e.getMessage()));
  }

  /** Prints what arrives; a shown message counts as read. */
  private final class Printer implements ClientListener {
    private final Promise<Void> drained = Promise.promise();
    private CourierClient client;

    @Override
    public void onDrained() {
      drained.tryComplete();
    }

    @Override
    public void onMessage(IncomingMessage message) {
      cli.out.println(message.from() + ": " + new String(message.ciphertext(), StandardCharsets.UTF_8));
      client.markRead(message.from(), List.of(message.id()));
    }

    @Override
    public void onReceipt(Receipt receipt) {
      String tick = Receipt.READ.equals(receipt.kind()) ? "read     " : "delivered";
      receipt.ids().forEach(id -> cli.out.println("  " + tick + " " + id + " (" + receipt.by() + ")"));
    }

    @Override
    public void onClosed(int code, String reason, boolean willReconnect) {
      cli.out.println("disconnected (" + code + " " + reason + ")" + (willReconnect ? "; reconnecting" : ""));
    }
  }
}
