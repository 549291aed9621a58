package io.courier.redis;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.impl.PooledRedisConnection;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets the commands sent down a {@link PipelinedRedis} connection in one event-loop turn leave in one system call.
 * vertx-redis-client writes and flushes each command on its own, so a burst of handshakes or sends handled in one
 * turn cost one {@code send(2)} per command here and one {@code read(2)} per command in Redis. Netty's
 * {@link FlushConsolidationHandler} at the head of the connection's pipeline holds the flushes until the end of
 * the turn (or {@value #MAX_PENDING_FLUSHES} flushes); a lone command leaves at the end of its turn, nothing waits
 * on a timer, and the order of the commands is unchanged.
 *
 * @implNote The Netty channel is behind vertx-redis-client's internals (the {@code netSocket} field of its
 *     standalone connection), reached by reflection. If that fails (another client version or connection kind),
 *     the connection is left as it is, logged once: commands then leave one by one, which is correct, only slower.
 */
final class RedisFlushBatching {
  /** Flushes held back at most before one is let through. */
  static final int MAX_PENDING_FLUSHES = 256;
  private static final String NAME = "courier-redis-flush-batching";
  private static final Logger log = LoggerFactory.getLogger(RedisFlushBatching.class);
  private static volatile boolean warned;

  private RedisFlushBatching() {}

  /** Adds the consolidation to the connection's channel, if it can be reached; idempotent. */
  static void install(RedisConnection connection) {
    ChannelPipeline pipeline = pipelineOf(connection);
    if (pipeline != null && pipeline.get(NAME) == null) {
      pipeline.addFirst(NAME, new FlushConsolidationHandler(MAX_PENDING_FLUSHES, true));
    }
  }

  private static ChannelPipeline pipelineOf(RedisConnection connection) {
    try {
      Object actual = connection instanceof PooledRedisConnection pooled ? pooled.actual() : connection;
      Field field = actual.getClass().getDeclaredField("netSocket");
      field.setAccessible(true);
      NetSocket socket = (NetSocket) field.get(actual);
      return socket instanceof ConnectionBase base ? base.channel().pipeline() : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      if (!warned) {
        warned = true;
        log.atWarn().log("Redis commands are flushed one by one: {}", e.toString());
      }
      return null;
    }
  }
}
