package io.courier.redis;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.impl.PooledRedisConnection;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reaches the Netty pipeline under a vertx-redis-client connection, which the client does not expose: a pooled
 * connection wraps a {@code RedisStandaloneConnection} whose socket is a private field.
 *
 * @implNote Checked against vertx-redis-client 5.0.7. If a later version renames the field or it cannot be
 * opened, the first failure is logged once and callers get no pipeline (and leave the connection as it is).
 */
final class RedisChannels {
  private static final Logger log = LoggerFactory.getLogger(RedisChannels.class);
  private static final String CONNECTION_CLASS = "io.vertx.redis.client.impl.RedisStandaloneConnection";
  private static final String SOCKET_FIELD = "netSocket";
  /** The connection's socket field, or null when it cannot be opened. */
  private static final Field SOCKET = socketField();

  private RedisChannels() {}

  /** @return the connection's channel pipeline, or null when it cannot be reached */
  static ChannelPipeline pipeline(RedisConnection connection) {
    Object actual = connection instanceof PooledRedisConnection pooled ? pooled.actual() : connection;
    if (SOCKET == null || !SOCKET.getDeclaringClass().isInstance(actual)) {
      return null;
    }
    try {
      return SOCKET.get(actual) instanceof ConnectionBase socket ? socket.channel().pipeline() : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static Field socketField() {
    try {
      Field field = Class.forName(CONNECTION_CLASS).getDeclaredField(SOCKET_FIELD);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atInfo().log("Redis commands are flushed one by one ({}.{} not accessible: {})", CONNECTION_CLASS,
          SOCKET_FIELD, e.toString());
      return null;
    }
  }
}
