package io.courier.client;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One device's WebSocket session with the server ({@code GET /v1/ws}, PROTOCOL.md §2 to §6): sends messages and
 * read receipts, receives messages and receipts, acks what the app stored, and keeps itself connected.
 *
 * <p>It owns:
 * <ul>
 *   <li>the <b>outbox</b>: every {@code send} and {@code read} until the server answers it ({@code sent} /
 *       {@code ok}, matched by {@code id}). On every (re)connect the whole outbox is written again, in issue order,
 *       with the same ids (the server stores a repeated message id once). A request issued while disconnected
 *       waits there. An {@code error} frame marked {@code temporary} holds the outbox: nothing more is written
 *       until its {@code retryAfter} (or the backoff) has passed, then the refused request and every one issued
 *       since go out in issue order, so a device's messages keep their order across refusals; any other error
 *       fails the request's future and drops it.</li>
 *   <li>the <b>dedup window</b>: a delivered {@code message} whose (from, id) was seen before is acked without
 *       calling the app again.</li>
 *   <li>the <b>ack batch</b>: entries the app stored are acked in one {@code ack} frame once
 *       {@link ClientOptions#ackDelay} has passed since the first of them (by default 0: on the next event-loop
 *       turn), or at once when
 *       {@value #ACK_BATCH} are waiting; {@link #close()} writes the waiting ones first. Acks of a connection that
 *       closed under them are dropped: the server delivers those entries again, and the dedup window keeps the app
 *       from seeing them twice.</li>
 *   <li>the <b>reconnect loop</b>: every close or failure other than a local {@link #close()}, 4403 (logged out)
 *       and 4409 (connected elsewhere) reconnects after an exponential backoff with full jitter, reset after a
 *       successful handshake. A handshake refused with 401 {@code TOKEN_EXPIRED} asks the {@link TokenSource} for
 *       a fresh token first; any other 401 or a 403 stops the client.</li>
 * </ul>
 *
 * <p><b>Threading.</b> All state is confined to one Vert.x context, taken with {@code vertx.getOrCreateContext()}
 * when the client is built: the socket's handlers, timers and listener calls run there, and the public methods
 * hop onto it, so they may be called from any thread. Futures returned by the client complete on that context.
 *
 * <p><b>Lifecycle.</b> New, then running after {@link #connect()}, then stopped for good after {@link #close()},
 * a 4403 or 4409 close, or a refused handshake. Stopping fails every unanswered request: with
 * {@code CLIENT_CLOSED}, or with the refusal's code. A stopped client does not restart; build a new one (and
 * resend with the same message ids, which is safe). Call {@link #close()} in every case to release the socket
 * client.
 *
 * @implNote Guarantees and their limits:
 *     <ul>
 *       <li>A future from {@code send} completes once the server has stored the message; a failed one may still
 *           have been stored when it failed with {@code CLIENT_CLOSED} (the answer was lost), never otherwise.</li>
 *       <li>Messages reach each recipient device in send order, also across reconnects, except after a
 *           temporary error: the retried message then lands after the sends that followed it.</li>
 *       <li>The outbox and the dedup window are in memory: they do not survive the process.</li>
 *       <li>A close with 1009 (frame too large) fails the largest unanswered request with
 *           {@code FRAME_TOO_LARGE} before reconnecting, so the refused frame is not resent forever; frames above
 *           {@link ClientOptions#maxFrameBytes()} are refused locally before they are written.</li>
 *     </ul>
 */
public final class CourierClient {

  /** The most acks collected before they are written without waiting for the next event-loop turn. */
  static final int ACK_BATCH = 100;

  /** How long a handshake may take before the attempt counts as failed (and is retried). */
  private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /**
   * A socket that reads nothing for this long is dropped and reconnected: the server pings every 20 s
   * ({@code connection.pingInterval}), so this is three missed pings on a silently dead network.
   */
  private static final int READ_IDLE_TIMEOUT_SECONDS = 60;

  /** Close codes of PROTOCOL.md §6 that the client acts on. */
  private static final short NORMAL = 1000;
  private static final int ABNORMAL = 1006;
  private static final int FRAME_TOO_LARGE = 1009;
  private static final int LOGGED_OUT = 4403;
  private static final int CONNECTED_ELSEWHERE = 4409;

  /** The request id format of PROTOCOL.md §3; a send with another id could not be matched to its answer. */
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final System.Logger LOG = System.getLogger(CourierClient.class.getName());

  private enum State { NEW, RUNNING, STOPPED }

  /** One socket, the entries delivered on it that wait for their ack, and whether it is still open. */
  private static final class Link {
    final ClientWebSocket socket;
    final List<String> acks = new ArrayList<>();
    final Promise<Void> closed = Promise.promise();
    boolean open = true;
    boolean flushScheduled;

    Link(ClientWebSocket socket) {
      this.socket = socket;
    }
  }

  private final Vertx vertx;
  private final Context context;
  private final ClientOptions options;
  private final ClientListener listener;
  private final WebSocketClient sockets;
  private final Backoff backoff;
  private final DedupWindow dedup;
  private final Outbox outbox = new Outbox();
  private final Promise<Void> firstOpen = Promise.promise();

  private State state = State.NEW;
  private CourierException stopCause;
  /** The open socket, or null while disconnected. */
  private Link link;
  private int reconnectAttempt;
  private long reconnectTimer = -1;
  /** While not -1, the timer of a hold after a temporary refusal: requests wait in the outbox (see holdAfter). */
  private long holdTimer = -1;
  /** When (nano time) the running hold ends. */
  private long holdUntil;
  /** A hold's time is up, but requests are still on the wire: their answers (a refusal among them?) come first. */
  private boolean draining;
  /** The next attempt asks the token source for a fresh token (after 401 TOKEN_EXPIRED). */
  private boolean refreshToken;
  /** A copy of {@code link != null} for {@link #isConnected()}, which any thread may call. */
  private volatile boolean connected;

  public CourierClient(Vertx vertx, ClientOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.options = Objects.requireNonNull(options, "options");
    this.context = vertx.getOrCreateContext();
    this.listener = options.listener();
    this.backoff = new Backoff(options.backoffBase(), options.backoffMax());
    this.dedup = new DedupWindow(options.dedupCapacity());
    this.sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setReadIdleTimeout(READ_IDLE_TIMEOUT_SECONDS)
        .setIdleTimeoutUnit(TimeUnit.SECONDS));
  }

  /**
   * Starts the client. The future completes when the first socket is open; from then on the client reconnects by
   * itself until it stops. Failed handshakes and network errors before that are retried, so the future only fails
   * if the client stops first (a refused handshake, such as {@code TOKEN_INVALID}, fails it with that code). Calling
   * it again returns the same future.
   */
  public Future<Void> connect() {
    return onContext(this::start);
  }

  /**
   * Closes the socket with 1000 and stops the client for good; unanswered requests fail with
   * {@code CLIENT_CLOSED}. Completes once the socket is closed and the socket client released.
   */
  public Future<Void> close() {
    return onContext(this::closeOnContext);
  }

  /** Whether a socket is open right now. */
  public boolean isConnected() {
    return connected;
  }

  /**
   * Sends a message with a new UUIDv7 id.
   *
   * @param to the recipient account
   * @param ciphertextByDevice one ciphertext per recipient device number (at most 16 by default)
   * @return completes with the server's {@code sent} answer; fails with the server's code for a refusal that is not
   *     temporary ({@code UNKNOWN_DEVICE}, {@code ENVELOPE_TOO_LARGE} ...), or with {@code CLIENT_CLOSED}
   */
  public Future<Sent> send(String to, Map<Integer, byte[]> ciphertextByDevice) {
    return send(UuidV7.next(), to, ciphertextByDevice);
  }

  /**
   * Sends a message with an id the caller chose ({@code [A-Za-z0-9_-]{1,64}}, for example to resend after a
   * restart). While a send with the same id is pending, this returns its future and sends nothing new.
   * The ciphertexts are encoded before this returns, so the arrays may be reused afterwards.
   */
  public Future<Sent> send(String messageId, String to, Map<Integer, byte[]> ciphertextByDevice) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(ciphertextByDevice, "ciphertextByDevice");
    if (messageId == null || !REQUEST_ID.matcher(messageId).matches()) {
      return Future.failedFuture(CourierException.of("INVALID_FIELD", "message id must match " + REQUEST_ID));
    }
    String frame = Frames.send(messageId, to, ciphertextByDevice).encode();
    return onContext(() -> request(messageId, frame)).map(reply -> new Sent(messageId, Frames.sentAt(reply)));
  }

  /**
   * Sends a message with per-device registration ids and copies for the sender's other devices (PROTOCOL.md §3),
   * with an id the caller chose ({@code [A-Za-z0-9_-]{1,64}}). While a send with the same id is pending, this
   * returns its future and sends nothing new; once it has failed, the same id may be sent again (with new
   * ciphertexts, for example after {@code MISMATCHED_DEVICES}), and the server stores it at most once.
   *
   * @param to the recipient account
   * @param envelopes one ciphertext per recipient device, in the order given (at most 16 by default)
   * @param sync one ciphertext per other device of the sender, or null to leave the field out (then the server
   *     checks only the recipient's devices; a note to self must not carry {@code sync}). An empty list is written
   *     as {@code "sync": []}: "no other device", which the server checks
   * @return completes with the server's {@code sent} answer; fails as {@link #send(String, String, Map)} does, and
   *     for {@code MISMATCHED_DEVICES} / {@code STALE_DEVICES} with a {@link CourierException} that names the
   *     {@link CourierException#account() account} and the {@link CourierException#missing() missing},
   *     {@link CourierException#extra() extra} and {@link CourierException#stale() stale} devices
   */
  public Future<Sent> send(String messageId, String to, List<OutgoingEnvelope> envelopes,
      List<OutgoingEnvelope> sync) {
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(envelopes, "envelopes");
    if (messageId == null || !REQUEST_ID.matcher(messageId).matches()) {
      return Future.failedFuture(CourierException.of("INVALID_FIELD", "message id must match " + REQUEST_ID));
    }
    String frame = Frames.send(messageId, to, envelopes, sync).encode();
    return onContext(() -> request(messageId, frame)).map(reply -> new Sent(messageId, Frames.sentAt(reply)));
  }

  /**
   * Tells {@code sender} that the user read these messages (a {@code read} frame; at most 100 ids by default).
   * Completes on the server's {@code ok}; kept in the outbox and resent like a send until then.
   */
  public Future<Void> markRead(String sender, List<String> messageIds) {
    Objects.requireNonNull(sender, "sender");
    String id = "r-" + UuidV7.next();
    String frame = Frames.read(id, sender, messageIds).encode();
    return onContext(() -> request(id, frame)).mapEmpty();
  }

  // ---------------------------------------------------------------- lifecycle

  private Future<Void> start() {
    switch (state) {
      case NEW -> {
        state = State.RUNNING;
        attempt();
        return firstOpen.future();
      }
      case RUNNING -> {
        return firstOpen.future();
      }
      default -> {
        return Future.failedFuture(stopCause);
      }
    }
  }

  private Future<Void> closeOnContext() {
    Link open = link;
    stop(CourierException.of(CourierException.CLIENT_CLOSED, "the client was closed"));
    if (open == null) {
      return sockets.close();
    }
    flushAcks(open); // the app has stored these: tell the server now, not on the next connection
    open.socket.close(NORMAL, "bye");
    return open.closed.future().eventually(sockets::close);
  }

  /** Stops for good: no more reconnects, and every unanswered request fails with {@code cause}. */
  private void stop(CourierException cause) {
    if (state == State.STOPPED) {
      return;
    }
    state = State.STOPPED;
    stopCause = cause;
    cancelReconnect();
    firstOpen.tryFail(cause);
    cancelHold();
    for (Outbox.Request request : outbox.removeAll()) {
      request.reply.tryFail(cause);
    }
  }

  private void stopAndReport(CourierException cause, String message) {
    stop(cause);
    callListener(() -> listener.onError(cause.code(), message));
  }

  // ---------------------------------------------------------------- connecting

  private void attempt() {
    reconnectTimer = -1;
    if (state != State.RUNNING) {
      return;
    }
    backOnContext(askToken(refreshToken))
        .onSuccess(this::openSocket)
        .onFailure(this::onTokenFailed);
  }

  private Future<String> askToken(boolean refresh) {
    try {
      Future<String> token = options.tokens().token(refresh);
      return token != null ? token : Future.failedFuture(new NullPointerException("TokenSource returned null"));
    } catch (RuntimeException failed) {
      return Future.failedFuture(failed);
    }
  }

  private void openSocket(String token) {
    refreshToken = false;
    if (state != State.RUNNING) {
      return;
    }
    // Handlers go on before the handshake, so no frame that arrives with the upgrade answer is lost.
    Link opening = new Link(sockets.webSocket());
    opening.socket
        .textMessageHandler(text -> onText(opening, text))
        .exceptionHandler(failure -> LOG.log(Level.DEBUG, "socket failure", failure))
        .closeHandler(ignored -> onSocketClosed(opening));
    opening.socket.connect(connectOptions(token))
        .onSuccess(ignored -> onOpen(opening))
        .onFailure(this::onHandshakeFailed);
  }

  private WebSocketConnectOptions connectOptions(String token) {
    return new WebSocketConnectOptions()
        .setHost(options.server().getHost())
        .setPort(options.port())
        .setSsl(options.tls())
        .setURI(options.webSocketPath())
        .setTimeout(HANDSHAKE_TIMEOUT_MILLIS)
        .putHeader(HttpHeaders.AUTHORIZATION.toString(), "Bearer " + token);
  }

  private void onOpen(Link opened) {
    if (state != State.RUNNING) {
      opened.socket.close(NORMAL, "bye");
      return;
    }
    if (!opened.open) {
      // closed between the handshake and this callback: nothing was announced, so just try again
      scheduleReconnect();
      return;
    }
    link = opened;
    connected = true;
    reconnectAttempt = 0;
    cancelHold();
    for (Outbox.Request request : outbox.inOrder()) {
      write(opened, request.frame);
      request.written = true;
    }
    callListener(listener::onConnected);
    firstOpen.tryComplete();
  }

  private void onTokenFailed(Throwable failure) {
    if (state != State.RUNNING) {
      return;
    }
    if (failure instanceof CourierException refused && !refused.temporary()) {
      stopAndReport(refused, "the token source failed: " + refused.getMessage());
      return;
    }
    LOG.log(Level.DEBUG, "token source failed, retrying", failure);
    scheduleReconnect();
  }

  private void onHandshakeFailed(Throwable failure) {
    if (state != State.RUNNING) {
      return;
    }
    if (failure instanceof UpgradeRejectedException rejected) {
      CourierException refusal = AccountApi.toException(rejected.getStatus(), rejected.getBody(), 0);
      if ("TOKEN_EXPIRED".equals(refusal.code())) {
        refreshToken = true;
      } else if (refusal.status() == 401 || refusal.status() == 403) {
        stopAndReport(refusal, "handshake refused with " + refusal.status() + ": " + refusal.getMessage());
        return;
      }
    }
    LOG.log(Level.DEBUG, "handshake failed, retrying", failure);
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    long delay = backoff.delayMillis(reconnectAttempt);
    reconnectAttempt = Math.min(reconnectAttempt + 1, Long.SIZE);
    reconnectTimer = vertx.setTimer(Math.max(1, delay), timer -> attempt());
  }

  private void cancelReconnect() {
    if (reconnectTimer != -1) {
      vertx.cancelTimer(reconnectTimer);
      reconnectTimer = -1;
    }
  }

  private void onSocketClosed(Link closed) {
    closed.open = false;
    closed.acks.clear();
    if (closed == link) {
      afterClose(closed); // else it was never announced as connected (see onOpen)
    }
    closed.closed.tryComplete();
  }

  private void afterClose(Link closed) {
    link = null;
    connected = false;
    cancelHold();
    for (Outbox.Request request : outbox.inOrder()) {
      request.written = false;
    }
    Short status = closed.socket.closeStatusCode();
    int code = status == null ? ABNORMAL : status;
    String reason = Objects.requireNonNullElse(closed.socket.closeReason(), "");
    boolean reconnect = state == State.RUNNING && code != LOGGED_OUT && code != CONNECTED_ELSEWHERE;
    if (state == State.RUNNING && !reconnect) {
      stop(CourierException.of(CourierException.CLIENT_CLOSED, "closed by the server: " + code + " " + reason));
    }
    if (reconnect && code == FRAME_TOO_LARGE) {
      failLargestRequest();
    }
    if (reconnect) {
      scheduleReconnect();
    }
    callListener(() -> listener.onClosed(code, reason, reconnect));
  }

  /** After a 1009 close: the largest unanswered frame is the one the server refused; do not resend it. */
  private void failLargestRequest() {
    Outbox.Request largest = outbox.removeLargest();
    if (largest != null) {
      largest.reply.tryFail(CourierException.of(CourierException.FRAME_TOO_LARGE,
          "the server closed the connection with 1009 (frame too large) over this " + largest.frameBytes
              + "-byte frame"));
    }
  }

  // ---------------------------------------------------------------- requests (send, read)

  private Future<JsonObject> request(String id, String frame) {
    if (state == State.STOPPED) {
      return Future.failedFuture(stopCause);
    }
    Outbox.Request pending = outbox.find(id);
    if (pending != null) {
      return pending.reply.future();
    }
    int bytes = frame.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > options.maxFrameBytes()) {
      return Future.failedFuture(CourierException.of(CourierException.FRAME_TOO_LARGE,
          "the frame has " + bytes + " bytes, more than " + options.maxFrameBytes()));
    }
    Outbox.Request request = outbox.add(id, frame, bytes);
    if (link != null && !holding()) {
      write(link, frame);
      request.written = true;
    }
    return request.reply.future();
  }

  private void onReply(JsonObject frame) {
    Outbox.Request request = outbox.remove(Frames.id(frame));
    if (request != null) {
      request.reply.tryComplete(frame);
      resumeIfDrained();
    }
  }

  private void onErrorFrame(JsonObject frame) {
    CourierException error = Frames.error(frame);
    Outbox.Request request = outbox.find(Frames.id(frame));
    if (request == null) {
      callListener(() -> listener.onError(error.code(), frame.getString("message", "")));
    } else if (error.temporary()) {
      holdAfter(request, error.retryAfterMillis());
    } else {
      outbox.remove(request.id);
      request.reply.tryFail(error);
      resumeIfDrained();
    }
  }

  /**
   * A temporary refusal: the request waits its {@code retryAfter} (or the backoff), and every request not on the
   * wire waits with it, new ones included. When the time is up and every request still on the wire has its answer
   * (any of them may be refused too), all that wait are written again, in issue order. Resent on its own, a refused
   * send would land after the later sends the server took meanwhile (PROTOCOL.md §7, "Ordering").
   */
  private void holdAfter(Outbox.Request request, long retryAfterMillis) {
    request.written = false;
    long delay = Math.max(1, retryAfterMillis > 0 ? retryAfterMillis : backoff.delayMillis(request.attempts));
    request.attempts = Math.min(request.attempts + 1, Long.SIZE);
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
    if (holdTimer != -1) {
      if (until - holdUntil <= 0) {
        return;
      }
      vertx.cancelTimer(holdTimer);
    }
    holdUntil = until;
    holdTimer = vertx.setTimer(delay, timer -> {
      holdTimer = -1;
      draining = true;
      resumeIfDrained();
    });
  }

  private boolean holding() {
    return holdTimer != -1 || draining;
  }

  /** After a hold: once no request is on the wire, writes every waiting one, in issue order. */
  private void resumeIfDrained() {
    if (!draining || holdTimer != -1 || link == null) {
      return;
    }
    for (Outbox.Request request : outbox.inOrder()) {
      if (request.written) {
        return;
      }
    }
    draining = false;
    for (Outbox.Request request : outbox.inOrder()) {
      write(link, request.frame);
      request.written = true;
    }
  }

  private void cancelHold() {
    if (holdTimer != -1) {
      vertx.cancelTimer(holdTimer);
      holdTimer = -1;
    }
    draining = false;
  }

  // ---------------------------------------------------------------- incoming frames

  private void onText(Link from, String text) {
    if (!from.open || state != State.RUNNING) {
      return;
    }
    try {
      dispatch(from, new JsonObject(text));
    } catch (DecodeException | NullPointerException | ClassCastException | IllegalArgumentException malformed) {
      // listener exceptions never get here (callListener catches them): this is a frame the client cannot read
      callListener(() -> listener.onError(CourierException.MALFORMED_JSON, "unreadable server frame: " + malformed));
    }
  }

  private void dispatch(Link from, JsonObject frame) {
    String type = Objects.requireNonNull(Frames.type(frame), "type");
    switch (type) {
      case Frames.MESSAGE -> onMessageFrame(from, frame);
      case Frames.RECEIPT -> onReceiptFrame(from, frame);
      case Frames.SENT, Frames.OK -> onReply(frame);
      case Frames.DRAINED -> callListener(listener::onDrained);
      case Frames.ERROR -> onErrorFrame(frame);
      default -> {
        // pong, and frame types added to v1 later: ignored, as PROTOCOL.md asks
      }
    }
  }

  private void onMessageFrame(Link from, JsonObject frame) {
    IncomingMessage message = Frames.message(frame);
    if (dedup.contains(message.from(), message.id())) {
      ack(from, message.entry());
    } else if (callListener(() -> listener.onMessage(message))) {
      dedup.remember(message.from(), message.id());
      ack(from, message.entry());
    }
  }

  private void onReceiptFrame(Link from, JsonObject frame) {
    Receipt receipt = Frames.receipt(frame);
    String entry = Frames.entry(frame);
    if (callListener(() -> listener.onReceipt(receipt))) {
      ack(from, entry);
    }
  }

  // ---------------------------------------------------------------- acks and writes

  private void ack(Link on, String entry) {
    on.acks.add(entry);
    if (on.acks.size() >= ACK_BATCH) {
      flushAcks(on);
    } else if (!on.flushScheduled) {
      on.flushScheduled = true;
      long delayMs = options.ackDelay().toMillis();
      if (delayMs == 0) {
        context.runOnContext(ignored -> flushAcks(on));
      } else {
        vertx.setTimer(delayMs, ignored -> flushAcks(on));
      }
    }
  }

  private void flushAcks(Link on) {
    on.flushScheduled = false;
    if (on.open && !on.acks.isEmpty()) {
      write(on, Frames.ack(on.acks).encode());
      on.acks.clear();
    }
  }

  /** Writes a frame; a failed write needs no handling here, since the close handler reconnects and resends. */
  private static void write(Link on, String frame) {
    on.socket.writeTextMessage(frame);
  }

  // ---------------------------------------------------------------- context plumbing

  /** Runs {@code action} on the client's context: directly when already there, else on its next turn. */
  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return action.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(result));
    return result.future();
  }

  /** The same outcome as {@code future}, delivered on the client's context whichever thread completes it. */
  private <T> Future<T> backOnContext(Future<T> future) {
    Promise<T> result = Promise.promise();
    future.onComplete(outcome -> completeOnContext(result, outcome));
    return result.future();
  }

  private <T> void completeOnContext(Promise<T> promise, AsyncResult<T> outcome) {
    context.runOnContext(ignored -> promise.handle(outcome));
  }

  /** Calls the listener; returns false if it threw, which for messages and receipts means "do not ack". */
  private boolean callListener(Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException | AssertionError failed) {
      LOG.log(Level.WARNING, "the client listener threw; for a message or receipt, the entry is not acked", failed);
      return false;
    }
  }
}
