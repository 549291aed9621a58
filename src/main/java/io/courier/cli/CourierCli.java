package io.courier.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command-line client: {@code courier register|chat}. A first contact with a server, built on the SDK.
 *
 * <p>Sessions are kept per server and account under {@code --home} (default {@code ~/.courier}), so running
 * {@code chat} again reuses the same device instead of creating a new one at every log-in.
 *
 * @implNote Until the libsignal layer arrives, the text is sent as the envelope's bytes: the server still only
 * stores and forwards opaque bytes, but nothing is encrypted end to end. The CLI says so at start.
 */
@Command(name = "courier", mixinStandardHelpOptions = true, version = "courier 0.1",
    description = "Command-line client for a Courier messaging server.",
    subcommands = {RegisterCommand.class, ChatCommand.class})
public final class CourierCli {
  @Option(names = "--server", defaultValue = "http://127.0.0.1:8080",
      description = "server URL (default: ${DEFAULT-VALUE})")
  String server;

  @Option(names = "--home", description = "folder for saved sessions (default: ~/.courier)")
  Path home = Path.of(System.getProperty("user.home"), ".courier");

  final BufferedReader in;
  final PrintStream out;

  public CourierCli(InputStream in, PrintStream out) {
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    this.out = out;
  }

  /** Runs one command line and returns its exit code. */
  public static int run(String[] args, InputStream in, PrintStream out) {
    return new CommandLine(new CourierCli(in, out)).setOut(new java.io.PrintWriter(out, true)).execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args, System.in, System.out));
  }
}
