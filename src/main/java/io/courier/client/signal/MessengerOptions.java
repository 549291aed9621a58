package io.courier.client.signal;

import io.courier.client.ClientOptions;
import io.courier.client.Session;
import io.courier.client.TokenSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one {@link SecureMessenger}. Immutable: the {@code with...} methods return changed copies.
 *
 * @param server the server's base URI ({@code http(s)://host:port}, or {@code ws(s)://})
 * @param session the Device's session (log-in or link); its account and device name the store, and its tokens are
 *     used unless {@code tokens} is set
 * @param tokens where access tokens come from, or null for a {@link io.courier.client.SessionTokenSource} over
 *     {@code session}; used by the WebSocket and the key-directory calls alike
 * @param storeRoot the app's data folder; the Device's store is {@code <storeRoot>/<account>/<device>}
 * @param listener receives the messenger's events; {@link MessengerListener#NONE} by default
 * @param refuseChangedIdentities {@code true} (default): a changed identity key is reported and sends to that
 *     Account fail until {@link SecureMessenger#trust(String)}; {@code false}: it is reported and accepted at once
 * @param backoffBase the transport's first reconnect delay ceiling (default 250 ms)
 * @param backoffMax the transport's largest reconnect delay ceiling (default 30 s)
 */
public record MessengerOptions(URI server, Session session, TokenSource tokens, Path storeRoot,
    MessengerListener listener, boolean refuseChangedIdentities, Duration backoffBase, Duration backoffMax) {

  public MessengerOptions {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(storeRoot, "storeRoot");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
  }

  /** Options with every default. */
  public static MessengerOptions create(URI server, Session session, Path storeRoot) {
    return new MessengerOptions(server, session, null, storeRoot, MessengerListener.NONE, true,
        ClientOptions.DEFAULT_BACKOFF_BASE, ClientOptions.DEFAULT_BACKOFF_MAX);
  }

  public MessengerOptions withListener(MessengerListener listener) {
    return new MessengerOptions(server, session, tokens, storeRoot, listener, refuseChangedIdentities, backoffBase,
        backoffMax);
  }

  public MessengerOptions withTokens(TokenSource tokens) {
    return new MessengerOptions(server, session, tokens, storeRoot, listener, refuseChangedIdentities, backoffBase,
        backoffMax);
  }

  public MessengerOptions withRefuseChangedIdentities(boolean refuse) {
    return new MessengerOptions(server, session, tokens, storeRoot, listener, refuse, backoffBase, backoffMax);
  }

  public MessengerOptions withBackoff(Duration base, Duration max) {
    return new MessengerOptions(server, session, tokens, storeRoot, listener, refuseChangedIdentities, base, max);
  }
}
