package io.courier.gateway;

import io.courier.net.FlushBatching;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * {@code GET /v1/ws}: the WebSocket handshake. Checks the browser Origin against {@code server.allowedOrigins},
 * verifies the access token (header, or {@code ?token=} for browsers) and that its device still exists, and
 * only then upgrades and starts a {@link Connection}. Refusals are plain HTTP answers with the error body
 * ({@code TOKEN_MISSING}, {@code TOKEN_EXPIRED}, {@code TOKEN_INVALID}, {@code TOKEN_REVOKED} as 401,
 * {@code ORIGIN_NOT_ALLOWED} as 403).
 */
final class WebSocketHandler implements Handler<RoutingContext> {
  private static final String BEARER = "Bearer ";

  private final Vertx vertx;
  private final Gateway gateway;
  private final List<String> allowedOrigins;

  WebSocketHandler(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
    this.allowedOrigins = gateway.config().server().allowedOrigins();
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    // Hold the request while the token is checked; the upgrade needs it unread.
    request.pause();
    authenticate(request)
        .compose(device -> request.toWebSocket().map(socket -> accept(request, socket, device)))
        .onSuccess(Connection::start)
        .onFailure(rc::fail);
  }

  /** Runs on the socket's context, right after the upgrade. */
  private Connection accept(HttpServerRequest request, ServerWebSocket socket, DeviceId device) {
    // The socket vertx-web hands out is a wrapper without access to its channel; the request's connection has it.
    ChannelPipeline pipeline = request.connection() instanceof ConnectionBase c ? c.channel().pipeline() : null;
    UpgradeRelease.release(pipeline, socket);
    if (pipeline != null) {
      FlushBatching.install(pipeline);
    }
    return new Connection(vertx, socket, device, gateway);
  }

  private Future<DeviceId> authenticate(HttpServerRequest request) {
    if (gateway.draining().get()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "this node is shutting down; "
          + "reconnect"));
    }
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (origin != null && !allowedOrigins.contains(origin) && !isSameOrigin(origin, request)) {
      return Future.failedFuture(new ProtocolException(ErrorCode.ORIGIN_NOT_ALLOWED, "origin " + origin
          + " is not allowed"));
    }
    String token = bearerToken(request);
    if (token == null) {
      return Future.failedFuture(new ProtocolException(ErrorCode.TOKEN_MISSING, "no access token: send "
          + "'Authorization: Bearer <token>' or ?token=<token>"));
    }
    return gateway.tokens().verify(token).compose(gateway.accounts()::checkDevice);
  }

  /**
   * A page served by this very host may connect: browsers send its origin, and so do some native WebSocket
   * libraries (Vert.x's client names the target itself).
   */
  private static boolean isSameOrigin(String origin, HttpServerRequest request) {
    String host = request.authority() == null ? null : request.authority().toString();
    return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
  }

  /** The access token from the Authorization header, else from the {@code token} query parameter. */
  static String bearerToken(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null && header.startsWith(BEARER)) {
      return header.substring(BEARER.length()).trim();
    }
    return request.getParam("token");
  }
}
