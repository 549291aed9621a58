package io.courier.redis;

import io.courier.net.FlushBatching;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.ContextInternal;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.impl.types.ErrorType;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Supplier;

/**
 * A {@link Redis} that sends every command down one long-lived connection, pipelined, instead of taking a pooled
 * connection per command and holding it until the reply.
 *
 * <p>Why: the pooled client sends one command per connection at a time, so at a few thousand messages per second
 * each command costs a pool checkout and return here, and a read and a write system call of its own in Redis.
 * Down one connection, commands that meet in one event-loop turn reach Redis together and are read and answered
 * together; and the commands of one event loop are applied in the order they were sent. The commands written in
 * one event-loop turn also leave in one system call ({@link FlushBatching}), not one each.
 *
 * <p>The connection is made on the owning verticle's event loop (so its I/O stays there, even when a worker
 * thread sends), when first needed and again after it fails or closes; commands in flight on a connection that
 * fails fail with it, as they would on a pooled one. {@link #connect()} (a dedicated connection, for the rare
 * caller that needs one) and {@link #close()} go to the pool behind it. Thread-safe: a command sent from another
 * thread is handed to the event loop first, in the order that thread sent it.
 *
 * <p>At most {@link #MAX_IN_FLIGHT} commands are in flight on the connection; more wait here, in order, and go out
 * as replies come back. The Redis client itself would fail them at once ("Redis waiting queue is full", past
 * {@link RedisClients#MAX_WAITING_HANDLERS}), and thousands of sockets on one event loop, each with sends, acks and
 * reads outstanding, reach that in a burst: the store then answers later instead of refusing, which would make
 * clients resend out of order and leave acks unstored.
 */
public final class PipelinedRedis implements Redis {
  /** Below the client's limit, which also counts the script loads made on connecting. */
  static final int MAX_IN_FLIGHT = RedisClients.MAX_WAITING_HANDLERS - 1_000;

  private final Redis pool;
  private final ContextInternal context;
  /** The connection, or its connecting, or null: then the next command connects. */
  private Future<RedisConnection> connection;
  // Only touched on the context's thread:
  /** Commands sent and not yet answered (a batch counts each of its commands). */
  private int inFlight;
  /** Commands waiting for room, oldest first. */
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
  private boolean releasing;

  /** {@code context}: the event loop the connection's I/O runs on. */
  public PipelinedRedis(Redis pool, Context context) {
    this.pool = pool;
    this.context = (ContextInternal) context;
  }

  @Override
  public Future<Response> send(Request command) {
    return admit(1, () -> {
      Future<RedisConnection> current = connection();
      return current.compose(c -> c.send(command)).onFailure(e -> dropUnlessAnswered(current, e));
    });
  }

  @Override
  public Future<List<Response>> batch(List<Request> commands) {
    return admit(commands.size(), () -> {
      Future<RedisConnection> current = connection();
      return current.compose(c -> c.batch(commands)).onFailure(e -> dropUnlessAnswered(current, e));
    });
  }

  /** Sends now if there is room and nothing waits before it (an oversized batch goes alone), else queues. */
  private <T> Future<T> admit(int size, Supplier<Future<T>> command) {
    if (!context.inThread()) {
      Promise<T> later = Promise.promise();
      context.runOnContext(v -> admit(size, command).onComplete(later));
      return later.future();
    }
    if (waiting.isEmpty() && hasRoomFor(size)) {
      return start(size, command);
    }
    Promise<T> later = Promise.promise();
    waiting.add(new Waiting(size, () -> start(size, command).onComplete(later)));
    return later.future();
  }

  private boolean hasRoomFor(int size) {
    return inFlight == 0 || inFlight + size <= MAX_IN_FLIGHT;
  }

  private <T> Future<T> start(int size, Supplier<Future<T>> command) {
    inFlight += size;
    return command.get().andThen(done -> release(size));
  }

  /** Answered (or failed): frees its room and starts what waits. Not re-entered: a command failing at once loops. */
  private void release(int size) {
    if (!context.inThread()) {
      context.runOnContext(v -> release(size));
      return;
    }
    inFlight -= size;
    if (releasing) {
      return;
    }
    releasing = true;
    try {
      while (!waiting.isEmpty() && hasRoomFor(waiting.peek().size())) {
        waiting.poll().start().run();
      }
    } finally {
      releasing = false;
    }
  }

  private record Waiting(int size, Runnable start) {}

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

  /** The connection the next command goes down (package-private for tests). */
  synchronized Future<RedisConnection> connection() {
    if (connection == null || connection.failed()) {
      Promise<RedisConnection> made = Promise.promise();
      context.runOnContext(v -> pool.connect()
          .onSuccess(RedisScript::cacheAll) // written before any command that could meet NOSCRIPT
          .onComplete(made));
      Future<RedisConnection> connecting = made.future();
      connection = connecting;
      connecting.onSuccess(c -> {
        ChannelPipeline pipeline = RedisChannels.pipeline(c);
        if (pipeline != null) {
          FlushBatching.install(pipeline);
        }
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
