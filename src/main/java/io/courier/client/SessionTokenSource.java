package io.courier.client;

import io.vertx.core.Future;
import java.util.Objects;

/**
 * A {@link TokenSource} that holds one {@link Session} and, when asked to refresh, rotates it through
 * {@link AccountApi#refresh(String)}.
 *
 * @implNote Refresh tokens are single-use, so give each instance to one client only: two refreshes of the same
 *     session at once would leave one of them with a rotated (dead) refresh token.
 */
public final class SessionTokenSource implements TokenSource {

  private final AccountApi accounts;
  private volatile Session session;

  public SessionTokenSource(AccountApi accounts, Session session) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.session = Objects.requireNonNull(session, "session");
  }

  /** The current session: the one given at construction, or the latest refresh. */
  public Session session() {
    return session;
  }

  @Override
  public Future<String> token(boolean refresh) {
    if (!refresh) {
      return Future.succeededFuture(session.accessToken());
    }
    return accounts.refresh(session.refreshToken()).map(this::replace);
  }

  private String replace(Session refreshed) {
    session = refreshed;
    return refreshed.accessToken();
  }
}
