package io.courier.cli;

import io.courier.client.Session;
import io.courier.client.signal.LinkOffer;
import io.courier.client.signal.SecureMessenger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands that create devices: register, login, link-offer, link. */
final class AccountCommands {
  private AccountCommands() {}

  @Command(name = "register", description = "Create an account and make this machine its first device.")
  static final class RegisterCommand extends CliCommand {
    @Parameters(index = "0", description = "username: 3-32 of a-z 0-9 _ . -")
    String username;

    @Option(names = "--password", description = "password (else $COURIER_PASSWORD, else asked)")
    String password;

    @Override
    int run(Workspace ws) {
      String secret = Passwords.resolve(password, cli);
      ws.accounts.register(username, secret).await();
      Session session = ws.login(username, secret, new Screen(cli.out));
      cli.out.println("registered " + username + "; this machine is device " + session.device());
      return 0;
    }
  }

  @Command(name = "login", description = "Log in with the password as a new device, with a new identity key "
      + "(contacts are told the safety number changed). To add a device to an account, prefer 'link'.")
  static final class LoginCommand extends CliCommand {
    @Parameters(index = "0", description = "username")
    String username;

    @Option(names = "--password", description = "password (else $COURIER_PASSWORD, else asked)")
    String password;

    @Override
    int run(Workspace ws) {
      Session session = ws.login(username, Passwords.resolve(password, cli), new Screen(cli.out));
      cli.out.println("logged in as " + username + " device " + session.device());
      return 0;
    }
  }

  @Command(name = "link-offer", description = "On a device you have: show a one-time code that links a new device.")
  static final class LinkOfferCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Override
    int run(Workspace ws) throws Exception {
      return ws.withMessenger(username, new Screen(cli.out), messenger -> {
        LinkOffer offer = messenger.offerLink().await();
        cli.out.println("on the new device, within " + offer.expiresIn() / 60 + " minutes, run:");
        cli.out.println("  courier link " + offer.text());
        return 0;
      });
    }
  }

  @Command(name = "link", description = "On the new device: link it with the code another device showed.")
  static final class LinkCommand extends CliCommand {
    @Parameters(index = "0", description = "the text 'courier link-offer' showed (code#secret)")
    String offer;

    @Option(names = "--name", defaultValue = "courier-cli", description = "a name for this device")
    String name;

    @Override
    int run(Workspace ws) {
      Session session = SecureMessenger.link(ws.vertx, ws.server, offer, name, ws.sessions.storeRoot()).await();
      ws.sessions.save(session);
      Workspace.close(ws.open(session, new Screen(cli.out)));
      cli.out.println("linked: this machine is " + session.account() + " device " + session.device());
      return 0;
    }
  }
}
