package io.courier.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills the child processes that tests started (redis-server, server JVMs) if the test JVM exits
 * while they still run, so a failed or aborted run leaves no process holding a port.
 *
 * @implNote A shutdown hook does not run when the test JVM itself is killed with SIGKILL; such
 *     children outlive it.
 */
final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(ChildProcesses::killAll, "kill-test-child-processes"));
  }

  private ChildProcesses() {
  }

  /** Remembers {@code process} until it exits. */
  static void register(Process process) {
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
  }

  /**
   * Sends SIGKILL to {@code process} and its descendants (for example a redis-server fork). Goes
   * through the {@link ProcessHandle} because {@link Process#destroyForcibly()} also closes the
   * output pipe, which would cut off the last lines the output reader has not read yet.
   */
  static void killTree(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.toHandle().destroyForcibly();
  }

  private static void killAll() {
    LIVE.forEach(ChildProcesses::killTree);
  }
}
