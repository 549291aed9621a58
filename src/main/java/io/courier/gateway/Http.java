package io.courier.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** What every REST handler does the same way: read a JSON body, check the bearer token, answer JSON. */
final class Http {
  private Http() {}

  /**
   * The request's JSON object; refused with {@code UNSUPPORTED_MEDIA_TYPE} unless it says
   * {@code Content-Type: application/json}, which a browser never sends cross-origin without a preflight.
   */
  static Future<JsonNode> body(RoutingContext rc) {
    if (!isJson(rc.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      return Future.failedFuture(new ProtocolException(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be "
          + "JSON, sent with 'Content-Type: application/json'"));
    }
    try {
      return Future.succeededFuture(FrameCodec.parseObject(rc.body().asString()));
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
  }

  /** {@code application/json}, with or without parameters ({@code ; charset=utf-8}), in any case. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int parameters = contentType.indexOf(';');
    String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).trim();
    return type.equalsIgnoreCase("application/json");
  }

  /** The device of the request's bearer token, if its token is valid and the device still exists. */
  static Future<DeviceId> authenticate(RoutingContext rc, Gateway gateway) {
    String token = WebSocketHandler.bearerToken(rc.request());
    return token == null
        ? Future.failedFuture(new ProtocolException(ErrorCode.TOKEN_MISSING, "no access token"))
        : gateway.tokens().verify(token).compose(gateway.accounts()::checkDevice);
  }

  static void json(RoutingContext rc, int status, JsonObject body) {
    json(rc, status, body.encode());
  }

  static void json(RoutingContext rc, int status, String body) {
    if (rc.response().ended()) {
      return;
    }
    rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
  }
}
