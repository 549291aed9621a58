package io.courier.push;

import com.google.auth.Retryable;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.ServiceAccountCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;

/**
 * OAuth2 access tokens for the FCM HTTP v1 API, from a service-account key: the key signs an RS256 JWT assertion
 * that the token endpoint exchanges for a bearer token (google-auth-library, RFC 7523). A token is reused until
 * {@link #REFRESH_MARGIN} before it expires; one refresh at a time, shared by every send that waits for it.
 *
 * @implNote google-auth-library's refresh is a blocking HTTP call (with its own retries on 5xx): it runs on a
 *     worker thread ({@code executeBlocking}), never on an event loop. Safe to call from any thread.
 */
final class FcmAccessTokens {
  /** A token this close to its expiry is refreshed before use, so that none expires in flight. */
  static final Duration REFRESH_MARGIN = Duration.ofMinutes(1);

  /** The refresh failed: a refused credential unless {@code retryable} (the endpoint unreachable, a 5xx). */
  static final class RefreshException extends Exception {
    final boolean retryable;

    RefreshException(Throwable cause, boolean retryable) {
      super(cause.getMessage(), cause, false, false);
      this.retryable = retryable;
    }
  }

  private final Vertx vertx;
  private final ServiceAccountCredentials credentials;
  private AccessToken current;
  private Future<AccessToken> refreshing;

  FcmAccessTokens(Vertx vertx, ServiceAccountCredentials credentials) {
    this.vertx = vertx;
    this.credentials = credentials;
  }

  /** The bearer token to send with; fails with a {@link RefreshException} when none can be had. */
  synchronized Future<String> get() {
    if (current != null && fresh(current)) {
      return Future.succeededFuture(current.getTokenValue());
    }
    if (refreshing == null) {
      refreshing = vertx.executeBlocking(credentials::refreshAccessToken, false).andThen(done -> refreshed(done
          .result()));
    }
    return refreshing.map(AccessToken::getTokenValue).recover(FcmAccessTokens::asRefreshFailure);
  }

  /** Forgets {@code refused} (FCM answered 401 to it), so that the next {@link #get()} asks for a new one. */
  synchronized void invalidate(String refused) {
    if (current != null && current.getTokenValue().equals(refused)) {
      current = null;
    }
  }

  private synchronized void refreshed(AccessToken token) {
    current = token;
    refreshing = null;
  }

  private static boolean fresh(AccessToken token) {
    return token.getExpirationTime() == null
        || token.getExpirationTime().toInstant().isAfter(Instant.now().plus(REFRESH_MARGIN));
  }

  private static <T> Future<T> asRefreshFailure(Throwable failure) {
    boolean retryable = !(failure instanceof Retryable r) || r.isRetryable();
    return Future.failedFuture(new RefreshException(failure, retryable));
  }
}
