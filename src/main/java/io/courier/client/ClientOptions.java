package io.courier.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings of one {@link CourierClient}. Immutable: the {@code with...} methods return changed copies.
 *
 * @param server the server's base URI: {@code http://host:port} or {@code ws://host:port} (plain), {@code https}
 *     or {@code wss} (TLS); the client connects to {@code <server>/v1/ws}
 * @param tokens where the access token for each handshake comes from
 * @param listener receives the client's events; {@link ClientListener#NONE} by default
 * @param backoffBase the ceiling of the first reconnect delay (default 250 ms); it doubles per failed attempt
 * @param backoffMax the largest reconnect delay ceiling (default 30 s)
 * @param dedupCapacity how many (sender, message id) pairs the client remembers to drop repeats (default 10,000)
 * @param maxFrameBytes the largest frame the client writes (default 262,144, the server's default
 *     {@code limits.maxFrameBytes}); a larger {@code send} fails at once with {@code FRAME_TOO_LARGE} instead of
 *     getting the connection closed with 1009
 * @param ackDelay how long the client collects acks before it writes them in one {@code ack} frame (default 0:
 *     on the next event-loop turn; at most 1 s). One ack frame for several entries is one receipt and one mailbox
 *     deletion for the server instead of several; the cost is that the sender's double tick comes up to this much
 *     later. Worth it for a client that gets bursts of single messages; under load the acks of one turn are one
 *     frame anyway (ChatBench at 18,000-20,000/s showed no gain from 10 ms). A hundred waiting acks are written at
 *     once.
 */
public record ClientOptions(URI server, TokenSource tokens, ClientListener listener, Duration backoffBase,
    Duration backoffMax, int dedupCapacity, int maxFrameBytes, Duration ackDelay) {

  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(250);
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(30);
  public static final int DEFAULT_DEDUP_CAPACITY = 10_000;
  /** The server's default {@code limits.maxFrameBytes} (PROTOCOL.md §7). */
  public static final int DEFAULT_MAX_FRAME_BYTES = 262_144;
  public static final Duration DEFAULT_ACK_DELAY = Duration.ZERO;
  /** The longest {@link #ackDelay}: acks held longer would hold the server's delivery window. */
  public static final Duration MAX_ACK_DELAY = Duration.ofSeconds(1);

  public ClientOptions {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(tokens, "tokens");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(backoffBase, "backoffBase");
    Objects.requireNonNull(backoffMax, "backoffMax");
    if (backoffBase.toMillis() <= 0 || backoffMax.compareTo(backoffBase) < 0) {
      throw new IllegalArgumentException("need 0 < backoffBase <= backoffMax: " + backoffBase + ", " + backoffMax);
    }
    Objects.requireNonNull(ackDelay, "ackDelay");
    if (ackDelay.isNegative() || ackDelay.compareTo(MAX_ACK_DELAY) > 0) {
      throw new IllegalArgumentException("ackDelay must be between 0 and " + MAX_ACK_DELAY + ", got " + ackDelay);
    }
    if (dedupCapacity < 1 || maxFrameBytes < 1) {
      throw new IllegalArgumentException("dedupCapacity and maxFrameBytes must be positive");
    }
    String scheme = server.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) && !"ws".equals(scheme) && !"wss".equals(scheme)) {
      throw new IllegalArgumentException("server must be http(s):// or ws(s)://, got " + server);
    }
    if (server.getHost() == null) {
      throw new IllegalArgumentException("server has no host: " + server);
    }
  }

  /**
   * Options with every default: no listener, 250 ms to 30 s backoff, 10,000 remembered messages, acks written on
   * the next event-loop turn.
   */
  public static ClientOptions create(URI server, TokenSource tokens) {
    return new ClientOptions(server, tokens, ClientListener.NONE, DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX,
        DEFAULT_DEDUP_CAPACITY, DEFAULT_MAX_FRAME_BYTES, DEFAULT_ACK_DELAY);
  }

  public ClientOptions withListener(ClientListener listener) {
    return new ClientOptions(server, tokens, listener, backoffBase, backoffMax, dedupCapacity, maxFrameBytes, ackDelay);
  }

  public ClientOptions withBackoff(Duration base, Duration max) {
    return new ClientOptions(server, tokens, listener, base, max, dedupCapacity, maxFrameBytes, ackDelay);
  }

  public ClientOptions withDedupCapacity(int capacity) {
    return new ClientOptions(server, tokens, listener, backoffBase, backoffMax, capacity, maxFrameBytes, ackDelay);
  }

  public ClientOptions withMaxFrameBytes(int bytes) {
    return new ClientOptions(server, tokens, listener, backoffBase, backoffMax, dedupCapacity, bytes, ackDelay);
  }

  public ClientOptions withAckDelay(Duration delay) {
    return new ClientOptions(server, tokens, listener, backoffBase, backoffMax, dedupCapacity, maxFrameBytes, delay);
  }

  /** Whether the WebSocket uses TLS ({@code https} or {@code wss}). */
  boolean tls() {
    return "https".equals(server.getScheme()) || "wss".equals(server.getScheme());
  }

  /** The server port, or the scheme's default. */
  int port() {
    return server.getPort() != -1 ? server.getPort() : tls() ? 443 : 80;
  }

  /** The WebSocket path: the base URI's path, without a trailing slash, plus {@code /v1/ws}. */
  String webSocketPath() {
    String prefix = server.getRawPath() == null ? "" : AccountApi.stripTrailingSlash(server.getRawPath());
    return prefix + "/v1/ws";
  }
}
