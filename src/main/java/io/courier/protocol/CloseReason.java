package io.courier.protocol;

/**
 * Every reason the server closes a WebSocket, mapped in one place to a close code and a short reason text
 * (a close frame carries at most 123 bytes of reason). {@code docs/PROTOCOL.md} §6 says what the client does
 * for each; {@code ProtocolDocTest} keeps that table and this enum in step.
 */
public enum CloseReason {
  /** The client asked to close. */
  NORMAL(1000, "bye", Action.NONE),
  /** This node is shutting down; another node takes the client. */
  SHUTDOWN(1001, "server shutting down", Action.RECONNECT),
  /** A WebSocket message above {@code limits.maxFrameBytes}. */
  FRAME_TOO_LARGE(1009, "frame too large", Action.RECONNECT),
  /** An unexpected server failure. */
  INTERNAL_ERROR(1011, "internal error", Action.RECONNECT),
  /** The device was logged out: its credentials are gone. */
  LOGGED_OUT(4403, "device logged out", Action.STOP),
  /** No frame or pong within {@code connection.idleTimeout}. */
  IDLE_TIMEOUT(4408, "idle timeout", Action.RECONNECT),
  /** A newer connection for the same device took over. */
  CONNECTED_ELSEWHERE(4409, "connected elsewhere", Action.STOP),
  /** The connection caused more than {@code limits.maxErrorsPerMinute} errors. */
  TOO_MANY_ERRORS(4429, "too many errors", Action.RECONNECT);

  /** What a client should do after the close. */
  public enum Action { NONE, RECONNECT, STOP }

  private final short code;
  private final String text;
  private final Action action;

  CloseReason(int code, String text, Action action) {
    this.code = (short) code;
    this.text = text;
    this.action = action;
  }

  public short code() {
    return code;
  }

  public String text() {
    return text;
  }

  public Action action() {
    return action;
  }
}
