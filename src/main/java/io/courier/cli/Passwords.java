package io.courier.cli;

import java.io.Console;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Where a command's password comes from: the option, then {@code COURIER_PASSWORD}, then the terminal. */
final class Passwords {
  private Passwords() {}

  static String resolve(String option, CourierCli cli) {
    if (option != null) {
      return option;
    }
    String env = System.getenv("COURIER_PASSWORD");
    if (env != null) {
      return env;
    }
    Console console = System.console();
    if (console != null) {
      return new String(console.readPassword("password: "));
    }
    try {
      cli.out.print("password: ");
      return cli.in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
