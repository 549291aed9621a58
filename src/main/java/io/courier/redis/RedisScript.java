package io.courier.redis;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One Lua script from {@code src/main/resources/lua/}, run with EVALSHA and, when Redis answers NOSCRIPT
 * (after a restart or a failover), once more with EVAL, which also caches it again. Scripts are resource
 * files, never Java strings; each has one typed wrapper class in the package that owns its keys.
 */
public final class RedisScript {
  /** Every script loaded so far, by name, for {@link #cacheAll}. */
  private static final Map<String, RedisScript> LOADED = new ConcurrentHashMap<>();
  private final String name;
  private final String source;
  private final String sha;

  private RedisScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /** Loads {@code /lua/<name>} from the classpath. */
  public static RedisScript load(String name) {
    try (InputStream in = RedisScript.class.getResourceAsStream("/lua/" + name)) {
      if (in == null) {
        throw new IllegalStateException("missing script /lua/" + name);
      }
      RedisScript script = new RedisScript(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      LOADED.put(name, script);
      return script;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs the script; every key it touches must be in {@code keys} or share their hash tag. */
  public Future<Response> run(Redis redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args))
        .recover(e -> isNoScript(e)
            ? redis.send(request(Command.EVAL, source, keys, args))
            : Future.failedFuture(e));
  }

  /**
   * Writes {@code SCRIPT LOAD} for every script loaded so far down {@code connection}, without waiting for the
   * answers: Redis applies a connection's commands in order, so no EVALSHA written after these meets NOSCRIPT
   * (unless someone runs {@code SCRIPT FLUSH} later). That matters where several commands are in flight on one
   * connection: a NOSCRIPT retry would be applied after the commands written behind the failed one.
   *
   * @implNote On a Redis Cluster connection vertx-redis-client sends a key-less command to one node, so only that
   * node is loaded here; the others load each script with the EVAL fallback of its first NOSCRIPT. There a send
   * written right behind a NOSCRIPT one could still be applied first, if another connection loaded the script in
   * between: a narrow window, open only after a node lost its script cache.
   */
  public static void cacheAll(RedisConnection connection) {
    for (RedisScript script : LOADED.values()) {
      connection.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source));
    }
  }

  public String name() {
    return name;
  }

  private static Request request(Command command, String script, List<String> keys, List<String> args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    args.forEach(request::arg);
    return request;
  }

  private static boolean isNoScript(Throwable e) {
    return e.getMessage() != null && e.getMessage().startsWith("NOSCRIPT");
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
