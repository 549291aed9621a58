package io.courier.protocol;

/**
 * A request the server refuses, carrying the {@link ErrorCode} the client gets. Control flow, not a bug:
 * it builds no stack trace. The gateway turns it into an error frame, the HTTP router into a status and body.
 */
public final class ProtocolException extends RuntimeException {
  private final ErrorCode code;
  private final long retryAfterMillis;
  private final String requestId;
  private final DeviceSetMismatch devices;

  public ProtocolException(ErrorCode code, String message) {
    this(code, message, 0, null, null);
  }

  public ProtocolException(ErrorCode code, String message, long retryAfterMillis) {
    this(code, message, retryAfterMillis, null, null);
  }

  /** {@code MISMATCHED_DEVICES} or {@code STALE_DEVICES}, with the devices to fix. */
  public ProtocolException(ErrorCode code, String message, DeviceSetMismatch devices) {
    this(code, message, 0, null, devices);
  }

  private ProtocolException(ErrorCode code, String message, long retryAfterMillis, String requestId,
      DeviceSetMismatch devices) {
    super(message, null, false, false);
    this.code = code;
    this.retryAfterMillis = retryAfterMillis;
    this.requestId = requestId;
    this.devices = devices;
  }

  /** The same refusal, naming the request it answers. */
  public ProtocolException forRequest(String id) {
    return new ProtocolException(code, getMessage(), retryAfterMillis, id, devices);
  }

  /** The device-set details of {@code MISMATCHED_DEVICES} and {@code STALE_DEVICES}; null otherwise. */
  public DeviceSetMismatch devices() {
    return devices;
  }

  /** The id of the refused request; null when unknown. */
  public String requestId() {
    return requestId;
  }

  public ErrorCode code() {
    return code;
  }

  /** Milliseconds after which a retry may succeed; 0 when not applicable. */
  public long retryAfterMillis() {
    return retryAfterMillis;
  }
}
