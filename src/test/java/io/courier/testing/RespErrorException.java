package io.courier.testing;

/**
 * An error reply from Redis ({@code -WRONGTYPE Operation against a key ...}), as thrown by
 * {@link RespConnection#call}. Inside an array reply the same type appears as an element instead.
 */
public final class RespErrorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message the reply text without the leading '-', for example "NOGROUP No such key" */
  public RespErrorException(String message) {
    super(message);
  }

  /** The upper-case token that starts the reply, for example {@code WRONGTYPE} or {@code NOGROUP}. */
  public String code() {
    String message = getMessage();
    int space = message.indexOf(' ');
    return space < 0 ? message : message.substring(0, space);
  }
}
