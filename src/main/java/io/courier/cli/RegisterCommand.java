package io.courier.cli;

import io.courier.client.AccountApi;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code courier register USERNAME}: creates an account. */
@Command(name = "register", description = "Create an account.")
final class RegisterCommand implements Callable<Integer> {
  @ParentCommand
  CourierCli cli;

  @Parameters(index = "0", description = "username: 3-32 of a-z 0-9 _ . -")
  String username;

  @Option(names = "--password", description = "password (else $COURIER_PASSWORD, else asked)")
  String password;

  @Override
  public Integer call() {
    Vertx vertx = Vertx.vertx();
    try {
      AccountApi api = new AccountApi(vertx, URI.create(cli.server));
      api.register(username, Passwords.resolve(password, cli)).await();
      cli.out.println("registered " + username);
      return 0;
    } catch (RuntimeException e) {
      cli.out.println("register failed: " + e.getMessage());
      return 1;
    } finally {
      vertx.close();
    }
  }
}
