package io.courier.routing;

import io.courier.protocol.ServerFrame;

/** What the node holding a device's connection is told about it. */
public sealed interface Signal {

  /**
   * New entries are in the device's mailbox. With {@code entry}, it is the one just appended and {@code previous}
   * the newest entry the mailbox held before it ({@code ""}: none): a connection that has delivered everything up
   * to {@code previous} pushes the entry as it is, without reading the mailbox. Without ({@link #WAKE}), the
   * connection reads its mailbox.
   */
  record Wake(ServerFrame.Entry entry, String previous) implements Signal {}

  /** A connection for the device started with {@code epoch}; connections with a lower epoch close. */
  record Takeover(long epoch) implements Signal {}

  /** The device logged out or was unlinked. */
  record LoggedOut() implements Signal {}

  Wake WAKE = new Wake(null, null);
  LoggedOut LOGGED_OUT = new LoggedOut();
}
