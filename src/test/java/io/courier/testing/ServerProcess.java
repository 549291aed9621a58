package io.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.MatchResult;
import java.util.regex.Pattern;

/**
 * The Courier server as a separate JVM, for end-to-end, multi-node and kill tests.
 *
 * <p>Steps: {@link #start()} runs {@code <java.home>/bin/java <flags> -cp <test class path>
 * io.courier.Main --config <file> --set server.port=P --set key=value ...}, follows its merged
 * stdout and stderr (last lines in memory, all lines in {@code target/process-logs/}), and waits
 * until it prints {@code courier listening on http://<host>:<port>}; {@link #port()} and
 * {@link #baseUri()} come from that line. {@link #kill()} is a crash (SIGKILL), {@link #terminate()}
 * a graceful shutdown (SIGTERM). After either, {@link #start()} runs it again with the same command
 * and port.
 *
 * <p>Not thread-safe: drive it from the test thread.
 *
 * @implNote The default port is picked free just before the first start; another process could take
 *     it in between, and then the start fails with the server's own bind error in the message.
 */
public final class ServerProcess implements AutoCloseable {
  /** The server's entry point. */
  public static final String DEFAULT_MAIN_CLASS = "io.courier.Main";
  /** The embedded-mode config shipped in {@code config/}, relative to the project directory. */
  public static final String DEFAULT_CONFIG = "config/courier.yaml";
  /** Upper bound for start-up; generous because CI machines are slow on a cold JVM. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);
  /** Upper bound for the process to exit after SIGTERM or SIGKILL. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  /** The line the server prints once it accepts connections; group 1 is the host, group 2 the port. */
  static final Pattern READY = Pattern.compile("courier listening on http://([^\\s/]+):(\\d+)");
  /** The POM's {@code jvm.flags} plus a heap cap, so several nodes fit on one machine. */
  static final List<String> DEFAULT_JVM_FLAGS = List.of(
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "-Xmx512m");

  private static final AtomicInteger STARTS = new AtomicInteger();

  private final String mainClass;
  private final String config;
  private final List<String> sets;
  private final List<String> jvmFlags;
  private final Map<String, String> env;
  private final Duration startTimeout;
  private int portArgument;
  private Process process;
  private ProcessLog log;
  private String host;
  private int port;

  private ServerProcess(Builder builder) {
    this.mainClass = builder.mainClass;
    this.config = builder.config;
    this.sets = List.copyOf(builder.sets);
    this.jvmFlags = List.copyOf(builder.jvmFlags);
    this.env = Map.copyOf(builder.env);
    this.startTimeout = builder.startTimeout;
    this.portArgument = builder.port;
  }

  /** A builder with {@link #DEFAULT_CONFIG}, a free port, and {@link #DEFAULT_JVM_FLAGS}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the JVM and returns once it printed its ready line.
   *
   * @throws IllegalStateException if it is already running, exits first, or is not ready within the
   *     start timeout (then it is killed); the message carries the command and the output
   */
  public ServerProcess start() {
    if (isRunning()) {
      throw new IllegalStateException("server already running on port " + port);
    }
    if (portArgument < 0) {
      portArgument = FreePort.pick();
    }
    ProcessBuilder builder = new ProcessBuilder(command()).redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command(), e);
    }
    ChildProcesses.register(process);
    String name = "server-" + portArgument + "-" + STARTS.incrementAndGet();
    log = ProcessLog.follow(process, READY, logDirectory().resolve(name + ".log"), name + "-output");
    awaitReady();
    return this;
  }

  /** Kills the JVM with SIGKILL, like a crash, waits until it is gone, and returns its exit code. */
  public int kill() {
    if (isRunning()) {
      ChildProcesses.killTree(process);
    }
    return awaitExit("SIGKILL");
  }

  /**
   * Sends SIGTERM (the JVM runs its shutdown hooks), waits until the JVM is gone, and returns its
   * exit code (143 when it ends by the signal).
   *
   * @throws AssertionError if it does not exit within 30 s; then it is killed
   */
  public int terminate() {
    if (isRunning()) {
      // through the handle: Process.destroy() would also close the output pipe and lose the shutdown log
      process.toHandle().destroy();
    }
    return awaitExit("SIGTERM");
  }

  /** True while the JVM is alive. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The port from the ready line. */
  public int port() {
    requireStarted();
    return port;
  }

  /** {@code http://<host>:<port>} from the ready line; {@code baseUri().resolve("/v1/...")} builds request URIs. */
  public URI baseUri() {
    requireStarted();
    return URI.create("http://" + host + ":" + port);
  }

  /** The output of the latest start (the last {@value ProcessLog#MAX_LINES} lines). */
  public String output() {
    return log == null ? "" : log.text();
  }

  /** The file with the complete output of the latest start. */
  public Path outputFile() {
    requireStarted();
    return log.file().orElseThrow();
  }

  /** Kills the JVM if it still runs. */
  @Override
  public void close() {
    if (isRunning()) {
      kill();
    }
  }

  private List<String> command() {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.add("--config");
    command.add(config);
    command.add("--set");
    command.add("server.port=" + portArgument);
    for (String set : sets) {
      command.add("--set");
      command.add(set);
    }
    return command;
  }

  private void awaitReady() {
    try {
      Poll.until(startTimeout, () -> log.firstMatch().isPresent() || !process.isAlive(),
          () -> mainClass + " did not print 'courier listening on http://<host>:<port>'");
    } catch (AssertionError e) {
      ChildProcesses.killTree(process);
      awaitExit("SIGKILL");
      throw new IllegalStateException(e.getMessage() + describe(), e);
    }
    MatchResult ready = log.firstMatch().orElse(null);
    if (ready == null) {
      log.awaitEnd();
      throw new IllegalStateException(mainClass + " exited with code " + process.exitValue()
          + " before it was ready" + describe());
    }
    host = ready.group(1);
    port = Integer.parseInt(ready.group(2));
  }

  private int awaitExit(String signal) {
    requireStarted();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.killTree(process);
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        throw new AssertionError(mainClass + " did not exit within " + STOP_TIMEOUT.toMillis()
            + " ms of " + signal + "; killed it" + describe());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + mainClass + " to exit", e);
    }
    log.awaitEnd();
    return process.exitValue();
  }

  private String describe() {
    return "\ncommand: " + String.join(" ", command())
        + "\noutput (complete in " + log.file().map(Path::toString).orElse("memory") + "):\n" + output();
  }

  private void requireStarted() {
    if (process == null) {
      throw new IllegalStateException("server not started");
    }
  }

  private static Path logDirectory() {
    String base = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(base, "target", "process-logs");
  }

  /** Command-line choices for the server JVM; each setter documents its default. */
  public static final class Builder {
    private final List<String> sets = new ArrayList<>();
    private final List<String> jvmFlags = new ArrayList<>(DEFAULT_JVM_FLAGS);
    private final Map<String, String> env = new LinkedHashMap<>();
    private String mainClass = DEFAULT_MAIN_CLASS;
    private String config = DEFAULT_CONFIG;
    private Duration startTimeout = DEFAULT_START_TIMEOUT;
    private int port = -1;

    private Builder() {
    }

    /** The {@code --config} file; default {@value ServerProcess#DEFAULT_CONFIG}. */
    public Builder config(String path) {
      this.config = path;
      return this;
    }

    /** Adds one {@code --set key=value} override, passed after {@code server.port} so it may override it. */
    public Builder set(String keyValue) {
      if (keyValue.indexOf('=') <= 0) {
        throw new IllegalArgumentException("expected key=value, got " + keyValue);
      }
      sets.add(keyValue);
      return this;
    }

    /** The {@code server.port}; default a free port picked before the first start; 0 lets the server pick. */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** Adds a JVM flag after {@link ServerProcess#DEFAULT_JVM_FLAGS}, for example {@code -Dfoo=bar}. */
    public Builder jvmFlag(String flag) {
      jvmFlags.add(flag);
      return this;
    }

    /** Sets an environment variable for the server (the rest is inherited). */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** The class to run; default {@value ServerProcess#DEFAULT_MAIN_CLASS}. */
    public Builder mainClass(String className) {
      this.mainClass = className;
      return this;
    }

    /** How long to wait for the ready line; default 60 s. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** A server that is not started yet; call {@link ServerProcess#start()}. */
    public ServerProcess build() {
      return new ServerProcess(this);
    }
  }
}
