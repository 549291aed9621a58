package io.courier.client;

import java.util.List;
import java.util.Set;

/**
 * A refusal from the server, or a request the client gave up on, carrying the protocol's error code.
 *
 * <p>Server codes are those of PROTOCOL.md §5 (for example {@code USERNAME_TAKEN}, {@code RATE_LIMITED}). The
 * client adds a few of its own, listed as constants here. The exception builds no stack trace: it is data.
 *
 * <p>A {@code send} refused with {@code MISMATCHED_DEVICES} or {@code STALE_DEVICES} also carries the details of the
 * error frame: the {@link #account()} it is about and the device numbers in {@link #missing()}, {@link #extra()} and
 * {@link #stale()}, so the caller can fix its device set and resend with the same message id.
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
  private final String account;
  private final List<Integer> missing;
  private final List<Integer> extra;
  private final List<Integer> stale;

  /**
   * @param code the UPPER_SNAKE error code
   * @param status the HTTP status, or 0 when there is none
   * @param message human text, for logs only
   * @param temporary whether the same request may succeed later
   * @param retryAfterMillis how long the server asked to wait before a retry, or 0 when it did not say
   */
  public CourierException(String code, int status, String message, boolean temporary, long retryAfterMillis) {
    this(code, status, message, temporary, retryAfterMillis, null, List.of(), List.of(), List.of());
  }

  /**
   * An exception with the device-set details of a {@code MISMATCHED_DEVICES} or {@code STALE_DEVICES} error frame.
   *
   * @param account the account the device lists are about (the recipient, or the sender for {@code sync}), or null
   * @param missing devices with keys that the send did not name (empty when none)
   * @param extra named devices that do not exist (empty when none)
   * @param stale named devices whose registration id is not the current one (empty when none)
   */
  public CourierException(String code, int status, String message, boolean temporary, long retryAfterMillis,
      String account, List<Integer> missing, List<Integer> extra, List<Integer> stale) {
    super(code + ": " + message, null, false, false);
    this.code = code;
    this.status = status;
    this.temporary = temporary;
    this.retryAfterMillis = retryAfterMillis;
    this.account = account;
    this.missing = List.copyOf(missing);
    this.extra = List.copyOf(extra);
    this.stale = List.copyOf(stale);
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

  /** The account a {@code MISMATCHED_DEVICES} or {@code STALE_DEVICES} error is about, or null for other errors. */
  public String account() {
    return account;
  }

  /** Devices that have keys but were not named ({@code MISMATCHED_DEVICES}); empty otherwise. Immutable. */
  public List<Integer> missing() {
    return missing;
  }

  /** Named devices that do not exist ({@code MISMATCHED_DEVICES}); empty otherwise. Immutable. */
  public List<Integer> extra() {
    return extra;
  }

  /** Named devices with an old registration id ({@code STALE_DEVICES}); empty otherwise. Immutable. */
  public List<Integer> stale() {
    return stale;
  }
}
