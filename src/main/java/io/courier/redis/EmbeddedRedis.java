package io.courier.redis;

import io.courier.config.DataFolder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The Redis started when no {@code redis.url} is configured: the binary bundled in {@code embedded-redis}
 * (Redis 6.2), bound to loopback on a free port, with AOF on in a local data folder so messages survive a
 * restart of the server. Stopped with the server.
 *
 * <p>Loopback is open to every user of the machine, so it requires a password ({@code requirepass}): made at
 * the first start, kept in {@code <dir>/password} (owner-only, as the whole folder is, see {@link DataFolder}),
 * and reused, so {@code redis-cli -a "$(cat data/redis/password)" -p <port>} works for the operator. The
 * password reaches Redis through the configuration file embedded-redis writes, a temporary file that Java creates
 * owner-only, never through the command line, which every local user can read in {@code ps}.
 *
 * @implNote For development and first contact only. Production runs a real Redis with replicas (see README).
 */
public final class EmbeddedRedis implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedRedis.class);

  private static final SecureRandom RANDOM = new SecureRandom();
  /** Bytes of a generated password (hex-encoded in the file). */
  private static final int PASSWORD_BYTES = 32;

  private final RedisServer server;
  private final int port;
  private final String password;

  private EmbeddedRedis(RedisServer server, int port, String password) {
    this.server = server;
    this.port = port;
    this.password = password;
  }

  /** Starts Redis with its files in {@code dataDir} and the given {@code appendfsync} policy. */
  public static EmbeddedRedis start(Path dataDir, String fsync) {
    try {
      DataFolder.prepare(dataDir);
      String password = password(dataDir.resolve("password"));
      int port = freePort();
      RedisServer server = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("dir " + dataDir.toAbsolutePath())
          .setting("appendonly yes")
          .setting("appendfsync " + fsync)
          .setting("save \"\"")
          .setting("protected-mode yes")
          .setting("requirepass " + password)
          .build();
      server.start();
      log.atInfo().addKeyValue("port", port).addKeyValue("dir", dataDir.toAbsolutePath())
          .addKeyValue("appendfsync", fsync).log("embedded Redis started");
      return new EmbeddedRedis(server, port, password);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded Redis", e);
    }
  }

  /** The URL with its password: for the server's clients, never for a log (see {@link RedisClients#redact}). */
  public String url() {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }

  /** The password in {@code file}, made and written owner-only at the first start. */
  private static String password(Path file) throws IOException {
    if (Files.exists(file)) {
      DataFolder.tighten(file);
      return Files.readString(file).trim();
    }
    byte[] random = new byte[PASSWORD_BYTES];
    RANDOM.nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    DataFolder.writeSecret(file, password + "\n");
    return password;
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
