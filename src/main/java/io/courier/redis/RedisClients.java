package io.courier.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/** Creates the pooled Redis clients the verticles use; the only place Redis connection options are set. */
public final class RedisClients {
  /** Requests that may queue for a pooled connection before new ones fail fast. */
  private static final int MAX_POOL_WAITING = 10_000;
  /** Pipelined commands in flight on one connection; past it the client fails a command at once (PipelinedRedis). */
  static final int MAX_WAITING_HANDLERS = 10_000;

  private RedisClients() {}

  /**
   * A pooled client: standalone, or for a Redis Cluster when {@code cluster} is set, with {@code urls} one or more
   * nodes (comma-separated) to learn the cluster's layout from.
   */
  public static Redis create(Vertx vertx, String urls, int poolSize, boolean cluster) {
    RedisOptions options = new RedisOptions()
        .setType(cluster ? RedisClientType.CLUSTER : RedisClientType.STANDALONE)
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(MAX_POOL_WAITING)
        .setMaxWaitingHandlers(MAX_WAITING_HANDLERS);
    for (String url : urls.split(",")) {
      options.addConnectionString(url.trim());
    }
    return Redis.createClient(vertx, options);
  }

  /** {@code urls} with every password replaced by {@code ***}: what a log may show. */
  public static String redact(String urls) {
    return urls == null ? null : urls.replaceAll("(://[^:/@,]*:)[^@/,]*@", "$1***@");
  }
}
