package io.courier.client;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** The SDK's HTTP client for the server's REST API. */
public final class ServerWeb {
  /**
   * Seconds an idle pooled connection is kept: less than the server's {@code server.idleTimeout} (30 s by
   * default), so the client drops a connection before the server closes it and never sends a request on one
   * the server is closing at that moment (Vert.x keeps them 60 s by default).
   */
  public static final int KEEP_ALIVE_SECONDS = 20;

  private ServerWeb() {}

  public static WebClient create(Vertx vertx) {
    return WebClient.create(vertx, new WebClientOptions().setKeepAliveTimeout(KEEP_ALIVE_SECONDS));
  }
}
