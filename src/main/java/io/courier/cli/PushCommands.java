package io.courier.cli;

import io.courier.client.CourierException;
import io.courier.client.PushApi;
import io.courier.client.SessionTokenSource;
import io.vertx.core.Future;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Push targets of the saved device: push-register (a Web Push subscription, e.g. from a UnifiedPush distributor
 * or a browser), push-remove. The access token is refreshed (and saved) when it has expired.
 */
final class PushCommands {
  private PushCommands() {}

  @Command(name = "push-register", description = "Have this device woken through a Web Push subscription "
      + "(RFC 8030) when messages wait for it.")
  static final class PushRegisterCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Option(names = "--webpush-endpoint", required = true, description = "the subscription's https endpoint")
    String endpoint;

    @Option(names = "--p256dh", required = true, description = "the subscription's P-256 public key, base64url")
    String p256dh;

    @Option(names = "--auth", required = true, description = "the subscription's auth secret, base64url")
    String auth;

    @Override
    int run(Workspace ws) {
      withToken(ws, username, (api, token) -> api.registerWebPush(token, endpoint, p256dh, auth));
      cli.out.println("registered a Web Push target for " + username);
      return 0;
    }
  }

  @Command(name = "push-remove", description = "Stop push wake-ups for this device.")
  static final class PushRemoveCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Override
    int run(Workspace ws) {
      withToken(ws, username, PushApi::remove);
      cli.out.println("removed the push target of " + username);
      return 0;
    }
  }

  /** What a command asks of the push API with a valid access token. */
  @FunctionalInterface
  interface PushCall {
    Future<Void> run(PushApi api, String accessToken);
  }

  /** Runs {@code call} with the saved session's token, once more with a refreshed one if it had expired. */
  static void withToken(Workspace ws, String account, PushCall call) {
    SessionTokenSource source = new SessionTokenSource(ws.accounts, ws.session(account));
    PushApi api = new PushApi(ws.vertx, ws.server);
    Function<Boolean, Future<Void>> attempt = refresh -> source.token(refresh)
        .andThen(t -> ws.sessions.save(source.session()))
        .compose(token -> call.run(api, token));
    try {
      attempt.apply(false)
          .recover(e -> e instanceof CourierException c && "TOKEN_EXPIRED".equals(c.code())
              ? attempt.apply(true) : Future.failedFuture(e))
          .await();
    } finally {
      api.close();
    }
  }
}
