package io.courier.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client connection through a {@link TcpProxy} and its connection to the target, with a thread
 * per direction.
 *
 * <p>End of stream on one side is passed on as a half-close to the other; once both directions
 * ended, both sockets close. A read or write error resets both sides. While downstream is held,
 * server→client bytes (and the server's end of stream) are dropped. The last
 * {@link #TRANSCRIPT_LIMIT} upstream bytes are kept for {@link TcpProxy#awaitUpstreamContains}.
 */
final class ProxyLink {
  /** Bytes moved per read. */
  static final int BUFFER_SIZE = 16 * 1024;
  /** Upstream bytes kept per connection for text searches; older bytes are dropped. */
  static final int TRANSCRIPT_LIMIT = 256 * 1024;

  private final TcpProxy proxy;
  private final Socket client;
  private final Socket server;
  private final String name;
  private final AtomicInteger openDirections = new AtomicInteger(2);
  private byte[] transcript = new byte[0];
  private volatile boolean holding;
  private volatile boolean open = true;

  ProxyLink(TcpProxy proxy, Socket client, Socket server, String name) {
    this.proxy = proxy;
    this.client = client;
    this.server = server;
    this.name = name;
  }

  void start() {
    daemon(name + "-up", this::pumpUpstream).start();
    daemon(name + "-down", this::pumpDownstream).start();
  }

  void holdDownstream() {
    holding = true;
  }

  boolean isOpen() {
    return open;
  }

  /** Closes both sockets with a reset. */
  void abort() {
    open = false;
    reset(client);
    reset(server);
  }

  synchronized boolean upstreamContains(byte[] needle) {
    return new String(transcript, StandardCharsets.ISO_8859_1)
        .contains(new String(needle, StandardCharsets.ISO_8859_1));
  }

  /** Closes {@code socket} so the peer gets a TCP reset rather than a normal close. */
  static void reset(Socket socket) {
    try {
      socket.setSoLinger(true, 0);
    } catch (IOException ignored) {
      // not connected or already closed: a plain close is all that is left
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  private void pumpUpstream() {
    byte[] buffer = new byte[BUFFER_SIZE];
    try {
      InputStream in = client.getInputStream();
      OutputStream out = server.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        out.write(buffer, 0, n);
        record(buffer, n);
        proxy.countUpstream(n);
      }
      endDirection(server);
    } catch (IOException e) {
      abort();
    }
  }

  private void pumpDownstream() {
    byte[] buffer = new byte[BUFFER_SIZE];
    try {
      InputStream in = server.getInputStream();
      OutputStream out = client.getOutputStream();
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        if (holding) {
          proxy.countHeld(n);
        } else {
          out.write(buffer, 0, n);
          proxy.countDownstream(n);
        }
      }
      if (!holding) {
        endDirection(client);
      }
    } catch (IOException e) {
      abort();
    }
  }

  /** Passes an end of stream on, and closes both sockets once both directions have ended. */
  private void endDirection(Socket towards) {
    try {
      towards.shutdownOutput();
    } catch (IOException ignored) {
      // the other side is already gone; closing below settles it
    }
    if (openDirections.decrementAndGet() == 0) {
      open = false;
      closeQuietly(client);
      closeQuietly(server);
    }
  }

  /** Appends to the transcript, dropping its oldest bytes past the limit ({@code n <= BUFFER_SIZE}). */
  private synchronized void record(byte[] buffer, int n) {
    int keep = Math.min(transcript.length, TRANSCRIPT_LIMIT - n);
    byte[] next = new byte[keep + n];
    System.arraycopy(transcript, transcript.length - keep, next, 0, keep);
    System.arraycopy(buffer, 0, next, keep, n);
    transcript = next;
  }

  private static Thread daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
