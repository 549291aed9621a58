package io.courier.gateway;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.ServerWebSocket;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of what Vert.x 5 keeps from a WebSocket's HTTP upgrade for as long as the socket lives: about 6 KB per
 * idle connection, a third of its heap.
 *
 * <ul>
 *   <li>The request headers: {@link ServerWebSocket#headers()} is the upgrade request's header map, bearer token
 *       included. Nothing reads it after the handshake, so it is cleared.
 *   <li>The whole HTTP/1.x connection: the socket's channel handler ({@code io.vertx.core.net.impl.VertxHandler})
 *       keeps the factory it built the WebSocket connection with, a lambda in
 *       {@code ServerWebSocketHandshaker.acceptHandshake} that captures the {@code Http1xServerConnection} (with
 *       its outbound queue, a Netty {@code MpscUnboundedArrayQueue} whose first chunk has 1,024 slots) and the
 *       handshaker (with the request, the response and its headers). The factory runs once, when the handler is
 *       added, and never again; this clears the field.
 * </ul>
 *
 * <p>Checked against Vert.x 5.0.7 (the same code is in 5.1.x). The second step uses reflection on a Vert.x
 * internal field; if a later Vert.x renames it or the field cannot be opened, the first failure is logged once
 * and sockets simply keep that memory, as they did before.
 */
final class UpgradeRelease {
  private static final Logger log = LoggerFactory.getLogger(UpgradeRelease.class);
  private static final String HANDLER_CLASS = "io.vertx.core.net.impl.VertxHandler";
  private static final String FACTORY_FIELD = "connectionFactory";
  /** The pipeline name Vert.x gives the WebSocket's handler when it replaces the HTTP one. */
  private static final String HANDLER_NAME = "handler";
  /** The handler's factory field, or null when it cannot be opened (then nothing is released). */
  private static final Field FACTORY = factoryField();

  private UpgradeRelease() {
  }

  /**
   * Must run on the socket's context, right after the upgrade to {@code socket}; {@code pipeline} is the socket's
   * channel pipeline, or null when it cannot be reached (then only the headers are released).
   */
  static void release(ChannelPipeline pipeline, ServerWebSocket socket) {
    clearHeaders(socket);
    if (FACTORY != null && pipeline != null) {
      ChannelHandler handler = pipeline.get(HANDLER_NAME);
      if (FACTORY.getDeclaringClass().isInstance(handler)) {
        try {
          FACTORY.set(handler, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
          log.atDebug().log("cannot release the upgrade's HTTP connection: {}", e.toString());
        }
      }
    }
  }

  private static void clearHeaders(ServerWebSocket socket) {
    try {
      socket.headers().clear();
    } catch (RuntimeException e) {
      // a read-only map: keep it
    }
  }

  private static Field factoryField() {
    try {
      Field field = Class.forName(HANDLER_CLASS).getDeclaredField(FACTORY_FIELD);
      field.setAccessible(true);
      return field;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.atInfo().log("Vert.x keeps each WebSocket's upgrade request ({} not accessible: {})", HANDLER_CLASS,
          e.toString());
      return null;
    }
  }
}
