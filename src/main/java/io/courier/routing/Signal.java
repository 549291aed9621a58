package io.courier.routing;

/**
 * What one node tells the connection holding a device, on the device's event-bus address. Encoded as short
 * strings so the same messages cross a clustered event bus without a codec.
 */
public sealed interface Signal {

  /** New entries are in the device's mailbox. */
  record Wake() implements Signal {}

  /** A connection for the device started with {@code epoch}; connections with a lower epoch close. */
  record Takeover(long epoch) implements Signal {}

  /** The device logged out. */
  record LoggedOut() implements Signal {}

  Wake WAKE = new Wake();
  LoggedOut LOGGED_OUT = new LoggedOut();

  static String encode(Signal signal) {
    if (signal instanceof Takeover t) {
      return "takeover " + t.epoch();
    }
    return signal instanceof Wake ? "wake" : "logout";
  }

  static Signal decode(String text) {
    if (text.startsWith("takeover ")) {
      return new Takeover(Long.parseLong(text.substring("takeover ".length())));
    }
    return "wake".equals(text) ? WAKE : LOGGED_OUT;
  }
}
