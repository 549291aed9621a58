package io.courier.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * HAProxy as a child process running a config file whose addresses come from environment variables
 * ({@code docker/haproxy.cfg}: {@code server n1 "${NODE1}"}), for load-balanced multi-node tests on loopback.
 *
 * <p>Steps: {@link #start()} puts {@code 127.0.0.1:PORT} in the variable named by {@link Builder#bindVariable} (the
 * frontend's port: {@link Builder#port}, else a free one picked at the first start), points the variable named by {@link Builder#statsSocketVariable}
 * at a UNIX socket in a temporary directory (HAProxy's runtime API, no network), runs
 * {@code haproxy -db -f FILE} with the other variables, and waits until the stats socket answers and the frontend
 * accepts connections. {@link #serverStatus} reads {@code show stat} over the socket ({@code UP}, {@code DOWN},
 * {@code MAINT}, or a transition such as {@code UP 1/2}). {@link #check(Path, Map)} runs {@code haproxy -c}.
 *
 * <p>Not thread-safe: drive it from the test thread.
 *
 * @implNote Tests skip (JUnit assumption) where {@link #find()} finds no binary; {@code .ci/run} installs
 *     Debian's {@code haproxy} package.
 */
public final class HaproxyProcess implements AutoCloseable {
  /** Where Debian's package installs the binary. */
  public static final Path DEBIAN_BINARY = Path.of("/usr/sbin/haproxy");
  static final Duration START_TIMEOUT = Duration.ofSeconds(20);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
  private static final AtomicInteger STARTS = new AtomicInteger();

  private final Path executable;
  private final Path config;
  private final Map<String, String> env;
  private final String bindVariable;
  private final String statsSocketVariable;
  private Path socketDir;
  private int port;
  private Process process;
  private ProcessLog log;

  private HaproxyProcess(Builder builder) {
    this.port = builder.port;
    this.executable = builder.executable;
    this.config = builder.config;
    this.env = Map.copyOf(builder.env);
    this.bindVariable = builder.bindVariable;
    this.statsSocketVariable = builder.statsSocketVariable;
  }

  /** The HAProxy binary: Debian's, else the first {@code haproxy} on {@code PATH}. */
  public static Optional<Path> find() {
    if (Files.isExecutable(DEBIAN_BINARY)) {
      return Optional.of(DEBIAN_BINARY);
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return Arrays.stream(path.split(java.io.File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, "haproxy"))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** A builder for {@code config}, with the binary from {@link #find()}. */
  public static Builder builder(Path config) {
    return new Builder(config);
  }

  /** What {@code haproxy -c} said about a config file. */
  public record CheckResult(int exitCode, String output) {
    public boolean hasWarnings() {
      return output.contains("[WARNING]");
    }
  }

  /** Runs {@code haproxy -c -f config} with these environment variables (others inherited) and waits for it. */
  public static CheckResult check(Path config, Map<String, String> env) {
    Path binary = find().orElseThrow(() -> new IllegalStateException("no haproxy binary"));
    ProcessBuilder builder = new ProcessBuilder(binary.toString(), "-c", "-f", config.toString())
        .redirectErrorStream(true);
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      ChildProcesses.register(process);
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        ChildProcesses.killTree(process);
        throw new AssertionError("haproxy -c did not finish within " + STOP_TIMEOUT);
      }
      return new CheckResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running haproxy -c", e);
    }
  }

  /**
   * Starts HAProxy and returns once its stats socket answers and its frontend accepts connections.
   *
   * @throws IllegalStateException if it exits first or is not ready within 20 s (the message carries its output)
   */
  public HaproxyProcess start() {
    if (isRunning()) {
      throw new IllegalStateException("haproxy already running on port " + port);
    }
    try {
      socketDir = socketDir != null ? socketDir : Files.createTempDirectory("courier-haproxy-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (port == 0) {
      port = FreePort.pick();
    }
    List<String> command = List.of(executable.toString(), "-db", "-f", config.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    builder.environment().put(bindVariable, "127.0.0.1:" + port);
    builder.environment().put(statsSocketVariable, statsSocket().toString());
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
    ChildProcesses.register(process);
    String name = "haproxy-" + port + "-" + STARTS.incrementAndGet();
    log = ProcessLog.follow(process, null, logDirectory().resolve(name + ".log"), name + "-output");
    try {
      Poll.until(START_TIMEOUT, () -> !process.isAlive() || (answersStats() && acceptsConnections()),
          () -> "haproxy did not open its stats socket and port " + port);
    } catch (AssertionError e) {
      close();
      throw new IllegalStateException(e.getMessage() + "; output:\n" + output(), e);
    }
    if (!process.isAlive()) {
      log.awaitEnd();
      throw new IllegalStateException("haproxy exited with code " + process.exitValue() + "; command: " + command
          + "; output:\n" + output());
    }
    return this;
  }

  /** The frontend's port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String baseUri() {
    return "http://127.0.0.1:" + port;
  }

  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** HAProxy's output (its log goes to stdout). */
  public String output() {
    return log == null ? "" : log.text();
  }

  /**
   * The {@code status} column of {@code show stat} for one server: {@code UP}, {@code DOWN}, {@code MAINT},
   * {@code no check}, or a transition such as {@code UP 1/3} (going down) and {@code DOWN 1/2} (going up).
   */
  public String serverStatus(String backend, String server) {
    return stats().getOrDefault(backend + "/" + server, Map.of()).getOrDefault("status", "?");
  }

  /** One row of {@code show stat} per {@code proxy/server} (and {@code proxy/FRONTEND}, {@code proxy/BACKEND}). */
  public Map<String, Map<String, String>> stats() {
    String csv = runtimeCommand("show stat");
    List<String> lines = csv.lines().filter(l -> !l.isBlank()).toList();
    if (lines.isEmpty() || !lines.get(0).startsWith("# ")) {
      throw new IllegalStateException("unexpected answer to 'show stat': " + csv);
    }
    String[] header = lines.get(0).substring(2).split(",", -1);
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] cells = line.split(",", -1);
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < header.length && i < cells.length; i++) {
        row.put(header[i], cells[i]);
      }
      rows.put(row.get("pxname") + "/" + row.get("svname"), row);
    }
    return rows;
  }

  /** Names of the servers of {@code backend} in config order, from {@link #stats()}. */
  public List<String> servers(String backend) {
    List<String> names = new ArrayList<>();
    stats().forEach((key, row) -> {
      String server = row.get("svname");
      if (row.get("pxname").equals(backend) && !"BACKEND".equals(server) && !"FRONTEND".equals(server)) {
        names.add(server);
      }
    });
    return names;
  }

  /** Sends one command to the runtime API (the stats socket) and returns the whole answer. */
  public String runtimeCommand(String command) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(statsSocket()));
      channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
      while (channel.read(buffer) >= 0) {
        answer.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return answer.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("haproxy runtime API: " + command, e);
    }
  }

  /** Kills HAProxy if it runs and removes its socket directory. */
  @Override
  public void close() {
    if (isRunning()) {
      ChildProcesses.killTree(process);
      try {
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      log.awaitEnd();
    }
    if (socketDir != null) {
      try {
        Files.deleteIfExists(statsSocket());
        Files.deleteIfExists(socketDir);
      } catch (IOException ignored) {
        // a temp directory left behind is harmless
      }
    }
  }

  private Path statsSocket() {
    return socketDir.resolve("stats.sock");
  }

  private boolean answersStats() {
    if (!Files.exists(statsSocket())) {
      return false;
    }
    try {
      return runtimeCommand("show info").contains("Name:");
    } catch (UncheckedIOException notYet) {
      return false;
    }
  }

  private boolean acceptsConnections() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException notYet) {
      return false;
    }
  }

  private static Path logDirectory() {
    String base = System.getProperty("basedir", System.getProperty("user.dir"));
    return Path.of(base, "target", "process-logs");
  }

  /** The config, its environment, and the names of the two variables the fixture fills in itself. */
  public static final class Builder {
    private final Path config;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path executable;
    private String bindVariable = "BIND";
    private String statsSocketVariable = "HAPROXY_STATS_SOCKET";
    private int port;

    private Builder(Path config) {
      this.config = config;
      this.executable = find().orElse(DEBIAN_BINARY);
    }

    /** Sets one environment variable for HAProxy (the rest is inherited). */
    public Builder env(String name, String value) {
      env.put(name, value);
      return this;
    }

    /** The variable the config binds its frontend to; it gets {@code 127.0.0.1:<free port>}. Default BIND. */
    public Builder bindVariable(String name) {
      this.bindVariable = name;
      return this;
    }

    /** The variable the config reads its stats socket path from. Default HAPROXY_STATS_SOCKET. */
    public Builder statsSocketVariable(String name) {
      this.statsSocketVariable = name;
      return this;
    }

    /** The frontend's port on 127.0.0.1; default a free port picked at the first start. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** The binary; default {@link HaproxyProcess#find()}. */
    public Builder executable(Path binary) {
      this.executable = binary;
      return this;
    }

    public HaproxyProcess build() {
      return new HaproxyProcess(this);
    }
  }
}
