package io.courier.gateway;

import io.courier.auth.AccountRedisKeys;
import io.courier.auth.Accounts;
import io.courier.auth.TokenService;
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

/**
 * {@code GET /v1/ws}: the WebSocket handshake. After the browser Origin has passed {@link OriginGuard}, verifies
 * the access token (header, or {@code ?token=} for browsers), claims its device if it still exists
 * (one script call: the device check and the route claim, see {@link io.courier.routing.DeliveryRouter#claim}),
 * and only then upgrades and starts a {@link Connection} with the claimed epoch; if the upgrade fails, the claim
 * is released. Refusals are plain HTTP answers with the error body ({@code TOKEN_MISSING}, {@code TOKEN_EXPIRED},
 * {@code TOKEN_INVALID}, {@code TOKEN_REVOKED} as 401, {@code ORIGIN_NOT_ALLOWED} as 403).
 */
final class WebSocketHandler implements Handler<RoutingContext> {
  private static final String BEARER = "Bearer ";

  private final Vertx vertx;
  private final Gateway gateway;

  WebSocketHandler(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  @Override
  public void handle(RoutingContext rc) {
    HttpServerRequest request = rc.request();
    // Hold the request while the token is checked; the upgrade needs it unread.
    request.pause();
    authenticate(request)
        .compose(claimed -> upgrade(request, claimed))
        .onSuccess(Connection::start)
        .onFailure(rc::fail);
  }

  /** A device whose route the handshake has claimed, with the claim's epoch. */
  private record Claimed(DeviceId device, long epoch) {}

  private Future<Connection> upgrade(HttpServerRequest request, Claimed claimed) {
    return request.toWebSocket()
        .map(socket -> accept(request, socket, claimed))
        .onFailure(e -> gateway.router().release(claimed.device(), claimed.epoch()));
  }

  /** Runs on the socket's context, right after the upgrade. */
  private Connection accept(HttpServerRequest request, ServerWebSocket socket, Claimed claimed) {
    // The socket vertx-web hands out is a wrapper without access to its channel; the request's connection has it.
    ChannelPipeline pipeline = request.connection() instanceof ConnectionBase c ? c.channel().pipeline() : null;
    SocketMemory.trim(pipeline, socket);
    if (pipeline != null) {
      FlushBatching.install(pipeline);
    }
    return new Connection(vertx, socket, claimed.device(), claimed.epoch(), gateway);
  }

  private Future<Claimed> authenticate(HttpServerRequest request) {
    if (gateway.draining().get()) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "this node is shutting down; "
          + "reconnect"));
    }
    String token = bearerToken(request);
    if (token == null) {
      return Future.failedFuture(new ProtocolException(ErrorCode.TOKEN_MISSING, "no access token: send "
          + "'Authorization: Bearer <token>' or ?token=<token>"));
    }
    return gateway.tokens().verify(token).compose(this::claim);
  }

  /**
   * Claims the token's device if it is still listed. An external issuer's device is first recorded (or found) by
   * {@link io.courier.auth.Accounts#checkDevice}; an own token's device was created at log-in or link, so its
   * check is part of the claim: one Redis round trip per handshake, not two.
   */
  private Future<Claimed> claim(TokenService.VerifiedToken token) {
    Future<DeviceId> listed = token.external()
        ? gateway.accounts().checkDevice(token) : Future.succeededFuture(token.device());
    return listed.compose(device -> gateway.router().claim(device, AccountRedisKeys.devices(device.account()))
        .compose(epoch -> epoch > 0
            ? Future.succeededFuture(new Claimed(device, epoch))
            : Future.failedFuture(Accounts.loggedOut())));
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
