package io.courier.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The Redis started when no {@code redis.url} is configured: the binary bundled in {@code embedded-redis}
 * (Redis 6.2), bound to loopback on a free port, with AOF on in a local data folder so messages survive a
 * restart of the server. Stopped with the server.
 *
 * @implNote For development and first contact only. Production runs a real Redis with replicas (see README).
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final RedisServer server;
  private final int port;

  private EmbeddedRedis(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /** Starts Redis with its files in {@code dataDir} and the given {@code appendfsync} policy. */
  public static EmbeddedRedis start(Path dataDir, String fsync) {
    try {
      Files.createDirectories(dataDir);
      int port = freePort();
      RedisServer server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("dir " + dataDir.toAbsolutePath())
          .setting("appendonly yes")
          .setting("appendfsync " + fsync)
          .setting("save \"\"")
          .setting("protected-mode yes")
          .build();
      server.start();
      log.atInfo().addKeyValue("port", port).addKeyValue("dir", dataDir.toAbsolutePath())
          .addKeyValue("appendfsync", fsync).log("embedded Redis started");
      return new EmbeddedRedis(server, port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Redis", e);
    }
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (IOException e) {
      log.warn("embedded Redis did not stop cleanly", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
