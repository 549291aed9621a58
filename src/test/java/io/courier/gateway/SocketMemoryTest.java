package io.courier.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.testing.Poll;
import io.courier.testing.WireClient;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SocketMemory} on real WebSockets over loopback. */
class SocketMemoryTest {
  private static final int FRAMES = 2_000;

  private Vertx vertx;
  private HttpServer server;

  /** What the server saw of one upgraded socket. */
  private record Trimmed(Queue<?> queueBefore, Queue<?> queueAfter, int headersAfter) {}

  private final CompletableFuture<Trimmed> trimmed = new CompletableFuture<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server = WireClient.await(vertx.createHttpServer().requestHandler(request -> request.toWebSocket()
        .onSuccess(socket -> {
          ChannelPipeline pipeline = ((ConnectionBase) request.connection()).channel().pipeline();
          Queue<?> before = SocketMemory.outboundQueue(pipeline.get("handler"));
          SocketMemory.trim(pipeline, socket);
          trimmed.complete(new Trimmed(before, SocketMemory.outboundQueue(pipeline.get("handler")),
              socket.headers().size()));
          // Writes from another thread wait in the queue until the event loop drains them: many chunks' worth.
          Thread writer = new Thread(() -> {
            for (int i = 0; i < FRAMES; i++) {
              socket.writeTextMessage(Integer.toString(i));
            }
          });
          writer.start();
        })).listen(0, "127.0.0.1"));
  }

  @AfterEach
  void stop() {
    WireClient.await(vertx.close());
  }

  @Test
  void theOutboundQueueIsSwappedForASmallerOneThatLosesAndReordersNothing() {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    WebSocketClient client = vertx.createWebSocketClient();
    // The handler goes on before the handshake: the first frames can come in the same read as the upgrade answer.
    ClientWebSocket socket = client.webSocket();
    socket.textMessageHandler(received::add);
    WireClient.await(socket.connect(server.actualPort(), "127.0.0.1", "/"));

    Trimmed seen = WireClient.await(Future.fromCompletionStage(trimmed));
    assertThat(seen.queueBefore()).as("the socket's queue, reached by reflection").isNotNull();
    assertThat(seen.queueAfter()).as("the queue after trimming").isNotSameAs(seen.queueBefore())
        .hasSameClassAs(seen.queueBefore());
    assertThat(seen.headersAfter()).as("upgrade headers kept").isZero();

    Poll.until(Duration.ofSeconds(10), () -> received.size() >= FRAMES,
        () -> received.size() + " of " + FRAMES + " frames arrived");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < FRAMES; i++) {
      expected.add(Integer.toString(i));
    }
    assertThat(received).as("frames written from another thread, in order").isEqualTo(expected);
  }
}
