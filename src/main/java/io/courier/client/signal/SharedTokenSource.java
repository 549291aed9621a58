package io.courier.client.signal;

import io.courier.client.TokenSource;
import io.vertx.core.Future;

/**
 * A {@link TokenSource} shared by the messenger's WebSocket client and its HTTP calls: a refresh asked for while
 * another one runs gets the running one, so a single-use refresh token is never spent twice at once.
 */
final class SharedTokenSource implements TokenSource {

  private final TokenSource delegate;
  private Future<String> refreshing;

  SharedTokenSource(TokenSource delegate) {
    this.delegate = delegate;
  }

  @Override
  public synchronized Future<String> token(boolean refresh) {
    if (!refresh) {
      return delegate.token(false);
    }
    if (refreshing == null || refreshing.isComplete()) {
      refreshing = delegate.token(true);
    }
    return refreshing;
  }
}
