package io.courier.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.VertxHandler;
import java.lang.reflect.Field;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trims what Vert.x 5 keeps for every WebSocket for as long as it lives, most of an idle connection's heap:
 *
 * <ul>
 *   <li>The upgrade request's headers: {@link ServerWebSocket#headers()} is that request's header map, bearer
 *       token included. Nothing reads it after the handshake, so it is cleared.
 *   <li>The whole HTTP/1.x connection of the upgrade: the socket's channel handler
 *       ({@code io.vertx.core.net.impl.VertxHandler}) keeps the factory it built the WebSocket connection with, a
 *       lambda in {@code ServerWebSocketHandshaker.acceptHandshake} that captures the
 *       {@code Http1xServerConnection} (with its own outbound queue) and the handshaker (with the request, the
 *       response and its headers). The factory runs once, when the handler is added, and never again; this clears
 *       the field.
 *   <li>Most of the WebSocket connection's outbound queue: a Netty {@code MpscUnboundedArrayQueue} whose first
 *       chunk is a 1,024-slot array (4 KB, half of what is left per idle socket), fixed in Netty, while every
 *       write on the socket's event loop passes through it and is taken out again at once. It is replaced, while
 *       empty, by a queue of the same class with {@value #QUEUE_CHUNK}-slot chunks: the same thread-safe queue,
 *       only linking a new chunk every {@value #QUEUE_CHUNK} writes waiting behind a socket that cannot take
 *       them.
 * </ul>
 *
 * <p>Checked against Vert.x 5.0.7 and Netty 4.2.9 (the same code is in Vert.x 5.1.x). The last two steps use
 * reflection on Vert.x internal fields; if a later Vert.x renames them or they cannot be opened, that is logged
 * once and sockets simply keep that memory, as they did before. The clean fix belongs upstream: drop the factory
 * after use, and size the queue.
 */
final class SocketMemory {
  private static final Logger log = LoggerFactory.getLogger(SocketMemory.class);
  /** The pipeline name Vert.x gives the WebSocket's handler when it replaces the HTTP one. */
  private static final String HANDLER_NAME = "handler";
  /** Slots per chunk of a socket's outbound queue: a socket's writes are drained as they are made. */
  static final int QUEUE_CHUNK = 16;
  /** The handler's factory field, or null when it cannot be opened (then the HTTP connection is kept). */
  private static final Field FACTORY = field("io.vertx.core.net.impl.VertxHandler", "connectionFactory");
  /** Connection → its outbound queue → that queue's message queue → the Netty queue; null when not reachable. */
  private static final Field OUTBOUND = field("io.vertx.core.net.impl.VertxConnection", "outboundMessageQueue");
  private static final Field MESSAGES = field("io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp");
  private static final Field QUEUE = field("io.vertx.core.streams.impl.MessagePassingQueue", "queue");

  private SocketMemory() {
  }

  /**
   * Must run on the socket's event loop, right after the upgrade to {@code socket} and before anything is written
   * to it; {@code pipeline} is the socket's channel pipeline, or null when it cannot be reached (then only the
   * headers are released).
   */
  static void trim(ChannelPipeline pipeline, ServerWebSocket socket) {
    clearHeaders(socket);
    if (pipeline != null && pipeline.get(HANDLER_NAME) instanceof VertxHandler<?> handler) {
      releaseUpgrade(handler);
      shrinkQueue(handler);
    }
  }

  /** The queue the socket's writes pass through, or null when it cannot be reached. */
  static Queue<?> outboundQueue(ChannelHandler handler) {
    Object messages = handler instanceof VertxHandler<?> vertx ? messages(vertx) : null;
    try {
      return messages == null ? null : (Queue<?>) QUEUE.get(messages);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atDebug().log("cannot reach a socket's outbound queue: {}", e.toString());
      return null;
    }
  }

  /** The connection's outbound message queue, which holds the Netty queue; null when it cannot be reached. */
  private static Object messages(VertxHandler<?> handler) {
    if (OUTBOUND == null || MESSAGES == null || QUEUE == null) {
      return null;
    }
    try {
      return MESSAGES.get(OUTBOUND.get(handler.getConnection()));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atDebug().log("cannot reach a socket's outbound queue: {}", e.toString());
      return null;
    }
  }

  private static void clearHeaders(ServerWebSocket socket) {
    try {
      socket.headers().clear();
    } catch (RuntimeException e) {
      // a read-only map: keep it
    }
  }

  private static void releaseUpgrade(VertxHandler<?> handler) {
    if (FACTORY == null) {
      return;
    }
    try {
      FACTORY.set(handler, null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atDebug().log("cannot release the upgrade's HTTP connection: {}", e.toString());
    }
  }

  /**
   * Swaps the queue only while it is empty and only this thread can reach the connection (the socket has not been
   * handed out yet), so no write can be lost between the two queues.
   */
  private static void shrinkQueue(VertxHandler<?> handler) {
    Object messages = messages(handler);
    try {
      Queue<?> queue = messages == null ? null : (Queue<?>) QUEUE.get(messages);
      if (queue != null && queue.isEmpty()) {
        QUEUE.set(messages, queue.getClass().getConstructor(int.class).newInstance(QUEUE_CHUNK));
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atDebug().log("cannot shrink a socket's outbound queue: {}", e.toString());
    }
  }

  private static Field field(String className, String name) {
    try {
      Field field = Class.forName(className).getDeclaredField(name);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atInfo().log("Vert.x keeps more memory per WebSocket ({}.{} not accessible: {})", className, name,
          e.toString());
      return null;
    }
  }
}
