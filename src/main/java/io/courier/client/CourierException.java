package io.courier.client;

import java.util.Set;

/**
 * A refusal from the server, or a request the client gave up on, carrying the protocol's error code.
 *
 * <p>Server codes are those of PROTOCOL.md §5 (for example {@code USERNAME_TAKEN}, {@code RATE_LIMITED}). The
 * client adds a few of its own, listed as constants here. The exception builds no stack trace: it is data.
 *
 * @implNote {@link #status()} is the HTTP status for HTTP calls and handshake refusals, and 0 for WebSocket
 *     {@code error} frames and client-side codes (the frames carry no status).
 */
public final class CourierException extends RuntimeException {

  /** The client stopped (local close, close 4403 or 4409) before the request was answered. */
  public static final String CLIENT_CLOSED = "CLIENT_CLOSED";

  /** The encoded frame is above {@link ClientOptions#maxFrameBytes()}, or the server closed with 1009 over it. */
  public static final String FRAME_TOO_LARGE = "FRAME_TOO_LARGE";

  /** An HTTP answer with an unexpected status and no error body that names a code. */
  public static final String UNEXPECTED_RESPONSE = "UNEXPECTED_RESPONSE";

  /** A server frame that is not JSON or lacks a field the client needs. */
  public static final String MALFORMED_JSON = "MALFORMED_JSON";

  /** Codes for which PROTOCOL.md §5 says a retry may succeed; used when the server does not say. */
  private static final Set<String> TEMPORARY_CODES = Set.of("MAILBOX_FULL", "RATE_LIMITED", "UNAVAILABLE", "INTERNAL");

  private final String code;
  private final int status;
  private final boolean temporary;
  private final long retryAfterMillis;

  /**
   * @param code the UPPER_SNAKE error code
   * @param status the HTTP status, or 0 when there is none
   * @param message human text, for logs only
   * @param temporary whether the same request may succeed later
   * @param retryAfterMillis how long the server asked to wait before a retry, or 0 when it did not say
   */
  public CourierException(String code, int status, String message, boolean temporary, long retryAfterMillis) {
    super(code + ": " + message, null, false, false);
    this.code = code;
    this.status = status;
    this.temporary = temporary;
    this.retryAfterMillis = retryAfterMillis;
  }

  /** A client-side or server code with no status, temporary as PROTOCOL.md §5 says. */
  static CourierException of(String code, String message) {
    return new CourierException(code, 0, message, isTemporaryCode(code), 0);
  }

  /** Whether PROTOCOL.md §5 marks {@code code} as temporary. */
  static boolean isTemporaryCode(String code) {
    return TEMPORARY_CODES.contains(code);
  }

  /** The UPPER_SNAKE error code. */
  public String code() {
    return code;
  }

  /** The HTTP status, or 0 for WebSocket error frames and client-side codes. */
  public int status() {
    return status;
  }

  /** Whether the same request may succeed later. */
  public boolean temporary() {
    return temporary;
  }

  /** The delay the server asked for before a retry (ms), or 0 when it gave none. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
