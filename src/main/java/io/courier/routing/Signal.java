package io.courier.routing;

/** What the node holding a device's connection is told about it. */
public sealed interface Signal {

  /** New entries are in the device's mailbox. */
  record Wake() implements Signal {}

  /** A connection for the device started with {@code epoch}; connections with a lower epoch close. */
  record Takeover(long epoch) implements Signal {}

  /** The device logged out or was unlinked. */
  record LoggedOut() implements Signal {}

  Wake WAKE = new Wake();
  LoggedOut LOGGED_OUT = new LoggedOut();
}
