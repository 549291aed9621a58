package io.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real 3-master Redis Cluster on loopback for contract tests: three {@code redis-server --cluster-enabled yes}
 * processes on free ports, the 16,384 slots split between them (CLUSTER ADDSLOTS) and joined (CLUSTER MEET),
 * ready once every node reports {@code cluster_state:ok}. No replicas: failover is not what these tests check.
 */
public final class RedisClusterProcess implements AutoCloseable {
  private static final int SLOTS = 16_384;
  private static final int MASTERS = 3;

  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> ports = new ArrayList<>();
  private final Path dir;

  private RedisClusterProcess(Path dir) {
    this.dir = dir;
  }

  public static RedisClusterProcess start() {
    try {
      RedisClusterProcess cluster = new RedisClusterProcess(Files.createTempDirectory("courier-redis-cluster-"));
      cluster.launch();
      return cluster;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch() throws IOException {
    for (int i = 0; i < MASTERS; i++) {
      int port = clusterPort();
      Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
      Process process = new ProcessBuilder(RedisExecutable.find().toString(), "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--dir", nodeDir.toString(), "--cluster-enabled", "yes",
          "--cluster-config-file", nodeDir.resolve("nodes.conf").toString(), "--cluster-node-timeout", "2000",
          "--save", "", "--appendonly", "no", "--protected-mode", "no")
          .redirectErrorStream(true).redirectOutput(nodeDir.resolve("redis.log").toFile()).start();
      processes.add(process);
      ports.add(port);
    }
    for (int port : ports) {
      Poll.until(Duration.ofSeconds(20), () -> answers(port), () -> "redis on " + port + " answers");
    }
    for (int i = 0; i < MASTERS; i++) {
      int from = i * SLOTS / MASTERS;
      int to = (i + 1) * SLOTS / MASTERS;
      List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int slot = from; slot < to; slot++) {
        command.add(Integer.toString(slot));
      }
      call(ports.get(i), command.toArray(String[]::new));
    }
    for (int i = 1; i < MASTERS; i++) {
      call(ports.get(0), "CLUSTER", "MEET", "127.0.0.1", Integer.toString(ports.get(i)));
    }
    for (int port : ports) {
      Poll.until(Duration.ofSeconds(30), () -> {
        String info = (String) call(port, "CLUSTER", "INFO");
        return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + MASTERS);
      }, () -> "the cluster is formed on " + port);
    }
  }

  /** A free port whose cluster bus port (port + 10,000) is free and valid too. */
  private static int clusterPort() {
    java.util.Random random = new java.util.Random();
    while (true) {
      int port = 20_000 + random.nextInt(20_000);
      if (isFree(port) && isFree(port + 10_000)) {
        return port;
      }
    }
  }

  private static boolean isFree(int port) {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The connection string of every master, comma-separated, as {@code redis.url} takes it in cluster mode. */
  public String urls() {
    List<String> urls = new ArrayList<>();
    ports.forEach(port -> urls.add("redis://127.0.0.1:" + port));
    return String.join(",", urls);
  }

  private static boolean answers(int port) {
    try {
      return "PONG".equals(call(port, "PING"));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static Object call(int port, String... args) {
    try (RespConnection connection = RespConnection.open("127.0.0.1", port)) {
      return connection.call(args);
    }
  }

  @Override
  public void close() {
    processes.forEach(Process::destroyForcibly);
    for (Process process : processes) {
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
