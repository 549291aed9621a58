package io.courier.gateway;

import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The browser-origin rule of {@code server.allowedOrigins}, for every {@code /v1} route: the REST API and the
 * WebSocket handshake alike. A request with an {@code Origin} header that is neither listed nor this server's own
 * host is refused with {@code 403 ORIGIN_NOT_ALLOWED} before anything else runs, preflights included; a request
 * without one (native apps, command-line tools) passes.
 *
 * @implNote CORS alone does not protect a REST API: a browser sends a cross-origin "simple" request (a POST with
 * {@code text/plain}, no preflight) and only hides the answer from the page, after the server has acted on it. So
 * the origin is checked here, and JSON bodies must say {@code application/json} ({@link Http#body}), which no
 * simple request can.
 */
final class OriginGuard implements Handler<RoutingContext> {
  private final List<String> allowedOrigins;

  OriginGuard(List<String> allowedOrigins) {
    this.allowedOrigins = List.copyOf(allowedOrigins);
  }

  @Override
  public void handle(RoutingContext rc) {
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (origin == null || allowedOrigins.contains(origin) || isSameOrigin(origin, rc.request())) {
      rc.next();
    } else {
      rc.fail(new ProtocolException(ErrorCode.ORIGIN_NOT_ALLOWED, "origin " + origin + " is not allowed"));
    }
  }

  /**
   * A page served by this very host may call it: browsers send its origin, and so do some native WebSocket
   * libraries (Vert.x's client names the target itself).
   */
  private static boolean isSameOrigin(String origin, HttpServerRequest request) {
    String host = request.authority() == null ? null : request.authority().toString();
    return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
  }
}
