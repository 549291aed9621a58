package io.courier.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw protocol client for black-box tests, reading like a transcript: {@code send(frame)} then
 * {@code expect("type")}. Frames are JSON exactly as on the wire; nothing is acked unless the test acks.
 */
public final class WireClient implements AutoCloseable {
  /** How long {@link #expect} waits for the next frame. */
  public static final Duration FRAME_TIMEOUT = Duration.ofSeconds(10);

  private final WebSocketClient client;
  private final WebSocket socket;
  private final BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
  private final CompletableFuture<Close> closed = new CompletableFuture<>();

  /** The close code and reason the server sent ({@code 1006} when the socket just dropped). */
  public record Close(int code, String reason) {}

  /** A refused handshake: HTTP status and the JSON error body. */
  public record Refusal(int status, JsonObject body) {}

  private WireClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> frames.add(new JsonObject(text)));
    socket.closeHandler(v -> closed.complete(new Close(
        socket.closeStatusCode() == null ? 1006 : socket.closeStatusCode(), socket.closeReason())));
  }

  /** Opens {@code /v1/ws} with a bearer token; fails the test if the handshake is refused. */
  public static WireClient connect(Vertx vertx, int port, String token) {
    return connect(vertx, port, token, null);
  }

  /** Opens {@code /v1/ws} as a browser page on {@code origin} would. */
  public static WireClient connect(Vertx vertx, int port, String token, String origin) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxMessageSize(16 * 1024 * 1024).setMaxFrameSize(16 * 1024 * 1024));
    // The handlers go on before the handshake, as in the SDK: frames the server writes at once (a backlog) can
    // come in the same read as the upgrade answer, before handlers set when the connect future completes.
    ClientWebSocket socket = client.webSocket();
    WireClient wire = new WireClient(client, socket);
    await(socket.connect(options(port, token, origin)));
    return wire;
  }

  /** Attempts a handshake that the server must refuse, and returns the refusal. */
  public static Refusal refused(Vertx vertx, int port, String token, String origin) {
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      WebSocket socket = await(open(client, port, token, origin));
      socket.close();
      throw new AssertionError("the handshake was accepted");
    } catch (RuntimeException e) {
      if (e instanceof UpgradeRejectedException r) {
        return new Refusal(r.getStatus(), r.getBody() == null ? null : new JsonObject(r.getBody()));
      }
      if (e.getCause() instanceof UpgradeRejectedException r) {
        return new Refusal(r.getStatus(), r.getBody() == null ? null : new JsonObject(r.getBody()));
      }
      throw e;
    } finally {
      client.close();
    }
  }

  private static Future<WebSocket> open(WebSocketClient client, int port, String token, String origin) {
    return client.connect(options(port, token, origin));
  }

  private static WebSocketConnectOptions options(int port, String token, String origin) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/v1/ws");
    if (token != null) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    if (origin != null) {
      options.addHeader("Origin", origin);
    }
    return options;
  }

  /** Waits for a Vert.x future from a test thread; its failure is rethrown as is. */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new RuntimeException(e.getCause());
    } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
      throw new AssertionError("no result within 10 s", e);
    }
  }

  public WireClient send(JsonObject frame) {
    return sendText(frame.encode());
  }

  public WireClient sendBinary(byte[] bytes) {
    await(socket.writeBinaryMessage(io.vertx.core.buffer.Buffer.buffer(bytes)));
    return this;
  }

  /** One binary message cut into {@code fragments} WebSocket frames (a first frame, then continuations). */
  public WireClient sendFragmentedBinary(byte[] bytes, int fragments) {
    int size = (bytes.length + fragments - 1) / fragments;
    for (int from = 0; from < bytes.length; from += size) {
      io.vertx.core.buffer.Buffer part = io.vertx.core.buffer.Buffer.buffer(
          java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size)));
      boolean last = from + size >= bytes.length;
      await(socket.writeFrame(from == 0 ? io.vertx.core.http.WebSocketFrame.binaryFrame(part, last)
          : io.vertx.core.http.WebSocketFrame.continuationFrame(part, last)));
    }
    return this;
  }

  public WireClient sendText(String text) {
    await(socket.writeTextMessage(text));
    return this;
  }

  /** The next frame, which must have {@code type}. */
  public JsonObject expect(String type) {
    JsonObject frame = next();
    if (!type.equals(frame.getString("type"))) {
      throw new AssertionError("expected a '" + type + "' frame but got " + frame.encode());
    }
    return frame;
  }

  /** The next frame of any type; fails after {@link #FRAME_TIMEOUT}. */
  public JsonObject next() {
    try {
      JsonObject frame = frames.poll(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      if (frame == null) {
        throw new AssertionError("no frame within " + FRAME_TIMEOUT + (closed.isDone() ? "; closed: "
            + closed.getNow(null) : ""));
      }
      return frame;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Sends a ping with {@code id} and expects its pong: proof that the connection is alive. */
  public void assertAlive(String id) {
    send(new JsonObject().put("type", "ping").put("id", id));
    JsonObject pong = expect("pong");
    if (!id.equals(pong.getString("id"))) {
      throw new AssertionError("pong for another ping: " + pong.encode());
    }
  }

  /** Frames received and not yet taken. */
  public int pending() {
    return frames.size();
  }

  /** Waits for the server to close the socket. */
  public Close awaitClose() {
    try {
      return closed.get(FRAME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the socket was not closed within " + FRAME_TIMEOUT, e);
    }
  }

  public boolean isClosed() {
    return closed.isDone();
  }

  @Override
  public void close() {
    if (!closed.isDone()) {
      socket.close();
    }
    client.close();
  }
}
