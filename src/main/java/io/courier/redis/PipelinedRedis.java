package io.courier.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.util.List;

/**
 * A {@link Redis} that sends every command down one long-lived connection, pipelined, instead of taking a pooled
 * connection per command and holding it until the reply.
 *
 * <p>Why: the pooled client sends one command per connection at a time, so at a few thousand messages per second
 * each command costs a pool checkout and return here, and a read and a write system call of its own in Redis.
 * Down one connection, commands that meet in one event-loop turn reach Redis together and are read and answered
 * together; and the commands of one event loop are applied in the order they were sent.
 *
 * <p>The connection is made on the owning verticle's event loop (so its I/O stays there, even when a worker
 * thread sends), when first needed and again after it fails or closes; commands in flight on a connection that
 * fails fail with it, as they would on a pooled one. {@link #connect()} (a dedicated connection, for the rare
 * caller that needs one) and {@link #close()} go to the pool behind it. Thread-safe.
 */
public final class PipelinedRedis implements Redis {
  private final Redis pool;
  private final Context context;
  /** The connection, or its connecting, or null: then the next command connects. */
  private Future<RedisConnection> connection;

  /** {@code context}: the event loop the connection's I/O runs on. */
  public PipelinedRedis(Redis pool, Context context) {
    this.pool = pool;
    this.context = context;
  }

  @Override
  public Future<Response> send(Request command) {
    Future<RedisConnection> current = connection();
    return current.compose(c -> c.send(command)).onFailure(e -> dropUnlessAnswered(current, e));
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    Future<RedisConnection> current = connection();
    return current.compose(c -> c.batch(commands)).onFailure(e -> dropUnlessAnswered(current, e));
  }

  /**
   * A command that failed without an answer from Redis (an error reply is an answer) failed on the connection:
   * it is replaced, even if the connection never reported itself broken.
   */
  private void dropUnlessAnswered(Future<RedisConnection> used, Throwable failure) {
    if (used.succeeded() && !(failure instanceof ErrorType)) {
      forget(used);
    }
  }

  @Override
  public Future<RedisConnection> connect() {
    return pool.connect();
  }

  @Override
  public Future<Void> close() {
    Future<RedisConnection> current;
    synchronized (this) {
      current = connection;
      connection = null;
    }
    if (current != null && current.succeeded()) {
      current.result().close();
    }
    return pool.close();
  }

  private synchronized Future<RedisConnection> connection() {
    if (connection == null || connection.failed()) {
      Promise<RedisConnection> made = Promise.promise();
      context.runOnContext(v -> pool.connect().onComplete(made));
      Future<RedisConnection> connecting = made.future();
      connection = connecting;
      connecting.onSuccess(c -> {
        c.exceptionHandler(e -> forget(connecting));
        c.endHandler(v -> forget(connecting));
      });
    }
    return connection;
  }

  /** The connection failed or closed (or a command failed on it): the next command makes a new one. */
  private void forget(Future<RedisConnection> failed) {
    synchronized (this) {
      if (connection != failed) {
        return;
      }
      connection = null;
    }
    failed.result().close();
  }
}
