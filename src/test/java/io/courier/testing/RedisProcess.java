package io.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} child process on a free loopback port (never 6379) with its own
 * temporary data directory, for component and kill tests.
 *
 * <p>Steps: {@link #start()} picks a port, launches
 * {@code redis-server --port P --bind 127.0.0.1 --dir <tmp> --save "" --appendonly yes|no
 * --appendfsync <policy> --protected-mode no}, and polls until the server answers {@code PING}
 * with {@code PONG} (while an AOF is being replayed it answers {@code -LOADING}, so readiness also
 * means "data loaded"). {@link #kill()} and {@link #stop()} end the process but keep port and
 * directory, so {@link #restart()} (or a later {@link #start()}) replays the AOF of the same
 * directory on the same port. {@link #close()} kills it and deletes the directory.
 *
 * <p>Durability per policy: with {@code appendOnly(true).fsync("always")} every acknowledged write
 * is in the AOF before its reply and survives {@link #kill()} (SIGKILL). With {@code everysec},
 * Redis normally writes the AOF before replying too, but may postpone that write by up to 2 s
 * while an fsync is slow, so only {@link #stop()} (SIGTERM, a graceful shutdown that fsyncs the
 * AOF) guarantees it. Nothing here simulates a machine crash, the one case where the fsync itself
 * matters. With AOF off nothing survives a restart.
 *
 * <p>Not thread-safe: drive it from the test thread.
 *
 * @implNote If the picked port is taken between the pick and redis's bind, the first start retries
 *     on another port ({@link #START_ATTEMPTS} times). A restart insists on the same port.
 */
public final class RedisProcess implements AutoCloseable {
  /** The only address the server binds. */
  public static final String HOST = "127.0.0.1";
  /** Allowed values for {@code appendfsync}. */
  public static final Set<String> FSYNC_POLICIES = Set.of("always", "everysec", "no");
  /** Upper bound for start-up, including an AOF replay on restart. */
  static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  /** Upper bound for the process to exit after SIGTERM or SIGKILL. */
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  /** Readiness probes give up on a silent peer quickly, so a dead server is noticed at once. */
  static final Duration PING_TIMEOUT = Duration.ofSeconds(1);
  /** First-start attempts when the picked port turns out to be taken. */
  static final int START_ATTEMPTS = 3;

  private final Path executable;
  private final boolean appendOnly;
  private final String fsync;
  /** Further {@code --name value} arguments. */
  private final List<String> settings;
  private Path dir;
  private int port;
  private Process process;
  private ProcessLog log;
  private boolean closed;

  private RedisProcess(Builder builder) {
    this.executable = builder.executable != null ? builder.executable : RedisExecutable.find();
    this.appendOnly = builder.appendOnly;
    this.fsync = builder.fsync;
    this.settings = List.copyOf(builder.settings);
  }

  /** A builder with AOF off, fsync {@code everysec}, and {@code redis-server} from {@link RedisExecutable#find()}. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the server and returns once it answers PING. The first start picks a free port and
   * creates the data directory; later starts (after {@link #kill()} or {@link #stop()}) reuse both.
   *
   * @throws IllegalStateException if it is already running or closed, or fails to become ready
   *     (the message carries the server's output)
   */
  public RedisProcess start() {
    if (closed) {
      throw new IllegalStateException("RedisProcess is closed");
    }
    if (isRunning()) {
      throw new IllegalStateException("redis-server already running on port " + port);
    }
    if (dir == null) {
      dir = createDataDir();
    }
    if (port != 0) {
      launch();
      return this;
    }
    for (int attempt = 1; ; attempt++) {
      port = FreePort.pick();
      try {
        launch();
        return this;
      } catch (IllegalStateException e) {
        if (attempt >= START_ATTEMPTS || !output().contains("Address already in use")) {
          throw e;
        }
      }
    }
  }

  /** Stops the server gracefully if it runs, then starts it on the same port and data directory. */
  public RedisProcess restart() {
    stop();
    return start();
  }

  /**
   * Kills the server with SIGKILL (no shutdown work, like a crash) and waits until it is gone.
   * Does nothing if it is not running.
   */
  public void kill() {
    if (isRunning()) {
      ChildProcesses.killTree(process);
      awaitExit("SIGKILL");
    }
  }

  /**
   * Stops the server with SIGTERM, which redis-server handles like {@code SHUTDOWN}: it fsyncs the
   * AOF and exits (no RDB is written, as there are no save points). Does nothing if it is not running.
   */
  public void stop() {
    if (isRunning()) {
      // through the handle: Process.destroy() would also close the output pipe and lose the last lines
      process.toHandle().destroy();
      awaitExit("SIGTERM");
    }
  }

  /** True while the server process is alive. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** The server's port; 0 before the first {@link #start()}. */
  public int port() {
    return port;
  }

  /** The connection string for vertx-redis-client and the server config, {@code redis://127.0.0.1:P}. */
  public String url() {
    return "redis://" + HOST + ":" + port;
  }

  /** The data directory (holds the AOF); null before the first {@link #start()}. */
  public Path dataDir() {
    return dir;
  }

  /** The server's output since its last start (it logs to stdout). */
  public String output() {
    return log == null ? "" : log.text();
  }

  /**
   * Runs one command on a fresh connection and returns the reply as {@link RespConnection#call}
   * maps it, for example {@code command("XLEN", key)} returns a {@code Long}.
   *
   * @throws RespErrorException if Redis answers with an error
   */
  public Object command(String... args) {
    try (RespConnection connection = connect()) {
      return connection.call(args);
    }
  }

  /** How many times Redis has run {@code command} (lower case, e.g. "xrange") since it started. */
  public long calls(String command) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)")
        .matcher(command("INFO", "commandstats").toString());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  /** Opens a blocking connection for a batch of commands; close it when done. */
  public RespConnection connect() {
    return RespConnection.open(HOST, port);
  }

  /** Kills the server if it runs and deletes its data directory. */
  @Override
  public void close() {
    kill();
    closed = true;
    if (dir != null) {
      deleteTree(dir);
    }
  }

  private List<String> command() {
    List<String> command = new java.util.ArrayList<>(List.of(executable.toString(),
        "--port", Integer.toString(port),
        "--bind", HOST,
        "--dir", dir.toString(),
        "--save", "",
        "--appendonly", appendOnly ? "yes" : "no",
        "--appendfsync", fsync,
        "--protected-mode", "no"));
    command.addAll(settings);
    return command;
  }

  private void launch() {
    try {
      process = new ProcessBuilder(command()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + executable, e);
    }
    ChildProcesses.register(process);
    log = ProcessLog.follow(process, null, null, "redis-server-" + port + "-output");
    awaitReady();
  }

  private void awaitReady() {
    try {
      Poll.until(START_TIMEOUT, () -> !process.isAlive() || answersPing(),
          () -> "redis-server on port " + port + " did not answer PING");
    } catch (AssertionError e) {
      kill();
      throw new IllegalStateException(e.getMessage() + "; output:\n" + output(), e);
    }
    if (!process.isAlive()) {
      log.awaitEnd();
      throw new IllegalStateException("redis-server on port " + port + " exited with code "
          + process.exitValue() + " before answering PING; command: " + command() + "; output:\n" + output());
    }
  }

  private boolean answersPing() {
    try (RespConnection connection = RespConnection.open(HOST, port, PING_TIMEOUT)) {
      return "PONG".equals(connection.call("PING"));
    } catch (UncheckedIOException | RespErrorException notYet) {
      return false;
    }
  }

  private void awaitExit(String signal) {
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.killTree(process);
        throw new IllegalStateException("redis-server on port " + port + " did not exit within "
            + STOP_TIMEOUT.toMillis() + " ms of " + signal + "; output:\n" + output());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for redis-server to exit", e);
    }
    log.awaitEnd();
  }

  private static Path createDataDir() {
    try {
      return Files.createTempDirectory("courier-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a redis data directory", e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete redis data directory " + root, e);
    }
  }

  /** Chooses persistence and the binary; each setter documents its default. */
  public static final class Builder {
    private boolean appendOnly;
    private String fsync = "everysec";
    private Path executable;
    private final List<String> settings = new java.util.ArrayList<>();

    private Builder() {
    }

    /** AOF on or off; default off (fastest, nothing survives a restart). */
    public Builder appendOnly(boolean on) {
      this.appendOnly = on;
      return this;
    }

    /** The {@code appendfsync} policy: {@code always}, {@code everysec} (default) or {@code no}. */
    public Builder fsync(String policy) {
      if (!FSYNC_POLICIES.contains(policy)) {
        throw new IllegalArgumentException("fsync must be one of " + FSYNC_POLICIES + ", not " + policy);
      }
      this.fsync = policy;
      return this;
    }

    /** Any other {@code redis.conf} directive, e.g. {@code setting("auto-aof-rewrite-min-size", "1gb")}. */
    public Builder setting(String name, String value) {
      settings.add("--" + name);
      settings.add(value);
      return this;
    }

    /** The binary to run; default {@link RedisExecutable#find()}. */
    public Builder executable(Path redisServer) {
      this.executable = redisServer;
      return this;
    }

    /** A process that is not started yet; call {@link RedisProcess#start()}. */
    public RedisProcess build() {
      return new RedisProcess(this);
    }
  }
}
