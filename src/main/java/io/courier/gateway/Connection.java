package io.courier.gateway;

import io.courier.metrics.MetricNames;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.CloseReason;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ServerFrame;
import io.courier.routing.Signal;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One authenticated device's WebSocket: owns the socket, its {@link DeliveryLoop}, its liveness timer and its
 * error budget, and hands each decoded frame to its handler.
 *
 * <p>The handshake has already claimed the device (its next connection epoch and its route, see
 * {@link WebSocketHandler}). Start: register here with that epoch (older connections of the device close with
 * 4409), then start delivering the mailbox. Sends are stored in arrival order, several in flight at once
 * ({@link #enqueueSend}), so one device's messages are stored in the order it sent them.
 *
 * <p>Everything runs on the socket's context; no field is touched from another thread.
 */
final class Connection {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  private static final AtomicInteger OPEN = Metrics.gauge(MetricNames.name("connections.open"), new AtomicInteger());
  /** Sends queued behind the one in progress before the connection stops reading (TCP backpressure). */
  static final int MAX_QUEUED_SENDS = 256;
  /** Queued sends below which a connection that stopped reading reads again. */
  private static final int RESUME_QUEUED_SENDS = MAX_QUEUED_SENDS / 2;
  private static final long ERROR_WINDOW_MS = 60_000;

  private final Vertx vertx;
  private final ServerWebSocket socket;
  private final DeviceId device;
  private final Gateway gateway;
  private final DeliveryLoop delivery;
  /** The epoch the handshake claimed; a signal for a newer one closes this connection. */
  private final long epoch;
  /** Sends received and not started: the next starts when the one before it has its place in the mailbox order. */
  private final ArrayDeque<ClientFrame.Send> waitingSends = new ArrayDeque<>();
  /** A send has started and does not have its place yet. */
  private boolean placing;
  /** Sends received and not yet answered. */
  private int queuedSends;
  /** Completed when no send is left unanswered; only while shutting down. */
  private Promise<Void> allAnswered;
  /** Reading is paused because too many sends are queued. */
  private boolean pausedForSends;
  /** Reading is paused for good: the node is shutting down. */
  private boolean shuttingDown;
  private long lastActivity = System.currentTimeMillis();
  private long livenessTimer = -1;
  private long errorWindowStart = System.currentTimeMillis();
  private int errorsInWindow;
  private boolean closed;

  Connection(Vertx vertx, ServerWebSocket socket, DeviceId device, long epoch, Gateway gateway) {
    this.vertx = vertx;
    this.socket = socket;
    this.device = device;
    this.epoch = epoch;
    this.gateway = gateway;
    this.delivery = new DeliveryLoop(vertx, gateway.mailbox(), device, this, gateway.config().mailbox().readBatch(),
        gateway.config().limits().maxUnackedEntries());
  }

  void start() {
    OPEN.incrementAndGet();
    gateway.connections().add(this);
    socket.textMessageHandler(this::onText);
    socket.binaryMessageHandler(this::onBinary);
    socket.pongHandler(b -> lastActivity = System.currentTimeMillis());
    socket.drainHandler(v -> delivery.pump());
    socket.closeHandler(v -> onClosed());
    socket.exceptionHandler(e -> log.atDebug().addKeyValue("device", device).log("socket error: {}", e.toString()));
    long pingMs = gateway.config().connection().pingInterval().toMillis();
    livenessTimer = vertx.setPeriodic(pingMs, id -> checkLiveness());
    gateway.router().register(device, epoch, this::onSignal);
    // Debug, not info: a reconnect storm would write one line per connection.
    log.atDebug().addKeyValue("device", device).addKeyValue("epoch", epoch).log("connected");
    delivery.pump();
  }

  private void onSignal(Signal signal) {
    if (signal instanceof Signal.Wake wake) {
      delivery.offer(wake);
    } else if (signal instanceof Signal.Takeover t) {
      if (t.epoch() > epoch) {
        close(CloseReason.CONNECTED_ELSEWHERE);
      }
    } else {
      close(CloseReason.LOGGED_OUT);
    }
  }

  private void onText(String text) {
    lastActivity = System.currentTimeMillis();
    if (isTooLarge(text)) {
      close(CloseReason.FRAME_TOO_LARGE);
      return;
    }
    ClientFrame frame;
    try {
      frame = gateway.codec().decodeClientFrame(text);
    } catch (ProtocolException e) {
      reject(e);
      return;
    }
    if (frame instanceof ClientFrame.Send send) {
      enqueueSend(send);
    } else if (frame instanceof ClientFrame.Ack ack) {
      reply(ack.id(), invoke(() -> gateway.ackHandler().handle(device, delivery, ack)));
    } else if (frame instanceof ClientFrame.Read read) {
      reply(read.id(), invoke(() -> gateway.readHandler().handle(device, read)));
    } else {
      write(new ServerFrame.Pong(frame.id()));
    }
  }

  /** Binary messages are no frames; one above the frame limit closes as a text one does (§7: 1009). */
  private void onBinary(Buffer bytes) {
    lastActivity = System.currentTimeMillis();
    if (bytes.length() > gateway.config().limits().maxFrameBytes()) {
      close(CloseReason.FRAME_TOO_LARGE);
      return;
    }
    reject(new ProtocolException(ErrorCode.MALFORMED_JSON, "frames are JSON text messages, not binary"));
  }

  /** Counts UTF-8 bytes only when the characters alone cannot decide. */
  private boolean isTooLarge(String text) {
    int max = gateway.config().limits().maxFrameBytes();
    return text.length() > max
        || (text.length() * 3L > max && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > max);
  }

  /**
   * Sends are stored in arrival order, several at a time: the next send starts as soon as the one before it has
   * its place in the mailbox order ({@link SendHandler#handle}), without waiting for its answer, so a client that
   * pipelines its sends is not held to one Redis round trip per send. Answers may leave out of order (a send with
   * {@code sync} waits for one more step). A client that sends faster than its sends are stored is slowed down,
   * not refused: past {@link #MAX_QUEUED_SENDS} unanswered sends the connection stops reading its socket until
   * half of them are answered, so TCP pushes back on the client and nothing is refused or dropped (a refusal would
   * count against the error budget and, under overload, close connections whose clients then reconnect and resend:
   * more load, not less).
   */
  private void enqueueSend(ClientFrame.Send send) {
    if (++queuedSends >= MAX_QUEUED_SENDS && !pausedForSends) {
      pausedForSends = true;
      socket.pause();
    }
    waitingSends.add(send);
    startSends();
  }

  /** Starts the waiting sends, one after another as each gets its place; a loop, not a chain of callbacks. */
  private void startSends() {
    while (!placing && !waitingSends.isEmpty()) {
      ClientFrame.Send send = waitingSends.poll();
      placing = true;
      Promise<Void> placed = Promise.promise();
      Future<ServerFrame> answered = invoke(() -> gateway.sendHandler().handle(device, send, placed));
      reply(send.id(), answered);
      answered.onComplete(done -> {
        placed.tryComplete();
        sendAnswered();
      });
      if (placed.future().isComplete()) {
        placing = false;
      } else {
        placed.future().onComplete(v -> {
          placing = false;
          startSends();
        });
      }
    }
  }

  private void sendAnswered() {
    if (--queuedSends <= RESUME_QUEUED_SENDS && pausedForSends) {
      pausedForSends = false;
      if (!shuttingDown) {
        socket.resume();
      }
    }
    settleIfAllAnswered();
  }

  /** Completes a shutdown's wait once no send of this connection is left unanswered. */
  private void settleIfAllAnswered() {
    if (queuedSends == 0 && allAnswered != null) {
      allAnswered.tryComplete();
    }
  }

  /**
   * Runs a handler; what it throws becomes its failed answer (a bad field, or a bug: then {@code INTERNAL}), so an
   * exception can never leave a send unplaced and the connection's later sends waiting for it.
   */
  private static Future<ServerFrame> invoke(java.util.function.Supplier<Future<ServerFrame>> handler) {
    try {
      return handler.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void reply(String requestId, Future<ServerFrame> answer) {
    answer.onSuccess(frame -> {
      if (frame != null) {
        write(frame);
      }
    }).onFailure(e -> reject(e instanceof ProtocolException p ? p.forRequest(requestId) : internal(e, requestId)));
  }

  private ProtocolException internal(Throwable e, String requestId) {
    log.atWarn().addKeyValue("device", device).setCause(e).log("request failed unexpectedly");
    return new ProtocolException(ErrorCode.INTERNAL, "internal error").forRequest(requestId);
  }

  /**
   * Answers with an error frame; a connection over its error budget is closed (abuse, not a bad frame). The
   * server's own failures ({@code UNAVAILABLE}, {@code INTERNAL}) do not count: a store outage would otherwise close
   * every connection that keeps its sends, as if its client were broken.
   */
  private void reject(ProtocolException e) {
    Metrics.counter(MetricNames.name("errors"), MetricNames.TAG_CODE, e.code().name()).increment();
    write(new ServerFrame.Error(e.requestId(), e.code(), e.getMessage(), e.retryAfterMillis(), e.devices()));
    if (e.code() == ErrorCode.UNAVAILABLE || e.code() == ErrorCode.INTERNAL) {
      return;
    }
    long now = System.currentTimeMillis();
    if (now - errorWindowStart > ERROR_WINDOW_MS) {
      errorWindowStart = now;
      errorsInWindow = 0;
    }
    if (++errorsInWindow > gateway.config().limits().maxErrorsPerMinute()) {
      close(CloseReason.TOO_MANY_ERRORS);
    }
  }

  void write(ServerFrame frame) {
    if (!closed) {
      socket.writeTextMessage(gateway.codec().encode(frame));
    }
  }

  /**
   * True also once the socket is closing: Vert.x marks it closed (and throws from {@code writeQueueFull}) before our
   * close handler runs, and a wake-up can come in between; the loop then simply waits for that handler.
   */
  boolean writeQueueFull() {
    return closed || socket.isClosed() || socket.writeQueueFull();
  }

  private void checkLiveness() {
    if (System.currentTimeMillis() - lastActivity > gateway.config().connection().idleTimeout().toMillis()) {
      close(CloseReason.IDLE_TIMEOUT);
    } else if (!closed) {
      socket.writePing(Buffer.buffer());
    }
  }

  /**
   * Closes for a node shutdown: reads no more frames, lets the sends already taken finish (so their {@code sent}
   * goes out), then closes with 1001; at most {@code timeout}.
   */
  Future<Void> shutdown(java.time.Duration timeout) {
    shuttingDown = true;
    socket.pause();
    allAnswered = Promise.promise();
    if (queuedSends == 0) {
      allAnswered.complete();
    }
    return allAnswered.future()
        .timeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture())
        .andThen(done -> close(CloseReason.SHUTDOWN));
  }

  void close(CloseReason reason) {
    if (closed) {
      return;
    }
    log.atDebug().addKeyValue("device", device).addKeyValue("reason", reason).log("closing");
    Metrics.counter(MetricNames.name("connections.closed"), MetricNames.TAG_REASON, reason.name()).increment();
    socket.close(reason.code(), reason.text());
    onClosed();
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    // Sends not started are not stored: their client resends them, unconfirmed, on its next connection, and
    // storing them here too would race with those resends and could put the device's messages out of order.
    queuedSends -= waitingSends.size();
    waitingSends.clear();
    settleIfAllAnswered();
    OPEN.decrementAndGet();
    gateway.connections().remove(this);
    delivery.stop();
    vertx.cancelTimer(livenessTimer);
    gateway.router().release(device, epoch);
  }
}
