package io.courier.client;

import io.vertx.core.Future;

/**
 * Where {@link CourierClient} gets the access token for each WebSocket handshake.
 *
 * <p>The client asks once per connection attempt, on its own context, and never asks twice at the same time.
 */
@FunctionalInterface
public interface TokenSource {

  /**
   * Returns an access token.
   *
   * @param refresh {@code false} for the token in hand; {@code true} after the server refused the handshake with
   *     {@code 401 TOKEN_EXPIRED}, so the source should get a fresh one (for example with
   *     {@link AccountApi#refresh(String)})
   * @return the token; a failed future with a non-temporary {@link CourierException} (such as {@code TOKEN_INVALID}
   *     from a refresh) stops the client, any other failure is retried with backoff
   */
  Future<String> token(boolean refresh);

  /** A source that always answers {@code accessToken}; it cannot refresh, so an expired token retries forever. */
  static TokenSource fixed(String accessToken) {
    return refresh -> Future.succeededFuture(accessToken);
  }
}
