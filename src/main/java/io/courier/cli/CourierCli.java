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
 * The command-line client (docs/CLIENT.md): accounts, devices and linking, and end-to-end encrypted messages and
 * files with the Signal protocol through the SDK ({@code io.courier.client.signal}, {@code io.courier.client.media}).
 *
 * <p>Sessions and Signal stores are kept per server and account under {@code --home} (default
 * {@code ~/.courier}), so each command reuses the same device instead of creating a new one.
 */
@Command(name = "courier", mixinStandardHelpOptions = true, version = "courier 0.1",
    description = "Command-line client for a Courier messaging server.",
    subcommands = {
        AccountCommands.RegisterCommand.class, AccountCommands.LoginCommand.class,
        AccountCommands.LinkOfferCommand.class, AccountCommands.LinkCommand.class,
        DeviceCommands.DevicesCommand.class, DeviceCommands.UnlinkCommand.class,
        PushCommands.PushRegisterCommand.class, PushCommands.PushRemoveCommand.class,
        MessageCommands.SendCommand.class, MessageCommands.ChatCommand.class, FileCommands.SendFileCommand.class,
        MessageCommands.SafetyNumberCommand.class, MessageCommands.TrustCommand.class})
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
