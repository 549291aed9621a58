package io.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Picks a loopback TCP port that is free right now, by binding port 0 and releasing it.
 *
 * @implNote Another process may take the port between the pick and its use; callers that can
 *     detect "address in use" retry with a new pick. Never returns Redis's default port 6379, so a
 *     developer's own Redis is never touched.
 */
public final class FreePort {
  /** The port a system-wide Redis listens on; tests stay away from it. */
  static final int REDIS_DEFAULT_PORT = 6379;

  private FreePort() {
  }

  /** Returns a port that was free on 127.0.0.1 a moment ago. */
  public static int pick() {
    while (true) {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int port = socket.getLocalPort();
        if (port != REDIS_DEFAULT_PORT) {
          return port;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot bind a loopback port", e);
      }
    }
  }
}
