package io.courier.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.ParentCommand;

/**
 * Base of every subcommand: gives it a {@link Workspace} and turns a failure into one line on the screen and exit
 * code 1 (the SDK's failures carry the server's error code, e.g. {@code BAD_CREDENTIALS}).
 */
abstract class CliCommand implements Callable<Integer> {
  @ParentCommand
  CourierCli cli;

  /** The command itself; returns the exit code. */
  abstract int run(Workspace workspace) throws Exception;

  @Override
  public Integer call() {
    try (Workspace workspace = new Workspace(cli)) {
      return run(workspace);
    } catch (Exception e) {
      cli.out.println(getClass().getSimpleName().replace("Command", "").toLowerCase() + " failed: "
          + (e.getMessage() == null ? e.toString() : e.getMessage()));
      return 1;
    }
  }
}
