package io.courier.protocol;

/**
 * Every error a client can cause, as a stable machine-readable code.
 *
 * <p>The code's name is the token on the wire; {@link #status()} is the HTTP status for the REST API (and
 * an HTTP-like category for WebSocket error frames); {@link #temporary()} says whether the same request may
 * succeed later. The table in {@code docs/PROTOCOL.md} §5 lists the same rows, and {@code ProtocolDocTest}
 * keeps the two in step.
 */
public enum ErrorCode {
  MALFORMED_JSON(400, false),
  UNKNOWN_FRAME_TYPE(400, false),
  MISSING_FIELD(400, false),
  INVALID_FIELD(400, false),
  TOO_MANY_ENVELOPES(400, false),
  ENVELOPE_TOO_LARGE(413, false),
  BODY_TOO_LARGE(413, false),
  UNSUPPORTED_MEDIA_TYPE(415, false),
  FORBIDDEN_SENDER(403, false),
  UNKNOWN_ACCOUNT(404, false),
  UNKNOWN_DEVICE(404, false),
  UNKNOWN_ENTRY(404, false),
  MISMATCHED_DEVICES(409, false),
  STALE_DEVICES(410, false),
  TOO_MANY_DEVICES(409, false),
  LINK_CODE_INVALID(404, false),
  NO_KEYS(404, false),
  INVALID_KEY(400, false),
  TOO_MANY_PREKEYS(413, false),
  ATTACHMENT_TOO_LARGE(413, false),
  ATTACHMENT_INCOMPLETE(409, true),
  ATTACHMENT_WRONG_TYPE(415, false),
  UNKNOWN_ATTACHMENT(404, false),
  MAILBOX_FULL(507, true),
  RATE_LIMITED(429, true),
  INVALID_USERNAME(400, false),
  INVALID_PASSWORD(400, false),
  USERNAME_TAKEN(409, false),
  BAD_CREDENTIALS(401, false),
  TOKEN_MISSING(401, false),
  TOKEN_EXPIRED(401, false),
  TOKEN_INVALID(401, false),
  TOKEN_REVOKED(401, false),
  ORIGIN_NOT_ALLOWED(403, false),
  PUSH_KIND_DISABLED(400, false),
  FORBIDDEN_PUSH_TARGET(400, false),
  NOT_FOUND(404, false),
  UNAVAILABLE(503, true),
  INTERNAL(500, true);

  private final int status;
  private final boolean temporary;

  ErrorCode(int status, boolean temporary) {
    this.status = status;
    this.temporary = temporary;
  }

  /** HTTP status used by the REST API and the handshake. */
  public int status() {
    return status;
  }

  /** Whether retrying the same request later may succeed. */
  public boolean temporary() {
    return temporary;
  }
}
