package io.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fault-injecting TCP proxy on loopback for "the network dropped" tests: point the client at
 * {@link #port()} instead of the server's port, then break the path on purpose.
 *
 * <p>Every accepted connection gets its own connection to the target and two forwarding threads.
 * Faults: {@link #holdDownstream()} silently discards server→client bytes (a one-way black hole:
 * the server's writes succeed, the client receives nothing, the TCP connection stays open) while
 * client→server bytes still flow; {@link #cutAll()} resets every current connection on both sides
 * and lifts the hold for new connections. A normal close on either side is passed on as a close.
 *
 * <p>Byte counters ({@link #upstreamBytes()}, {@link #downstreamBytes()}, {@link #heldBytes()}) and
 * the waits built on them let tests wait for traffic instead of sleeping.
 *
 * @implNote Forwarding is one blocking read/write pair per direction, so a chunk the proxy was
 *     already writing when {@link #holdDownstream()} was called may still reach the client.
 *     The proxy keeps every connection it ever accepted (with up to {@link ProxyLink#TRANSCRIPT_LIMIT}
 *     upstream bytes each) until {@link #close()}; it is meant for tests, not long runs.
 */
public final class TcpProxy implements AutoCloseable {
  /** Connecting to a loopback target either succeeds or is refused at once. */
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  /** Pending connections the listener queues. */
  static final int BACKLOG = 50;

  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final List<ProxyLink> links = new CopyOnWriteArrayList<>();
  private final AtomicLong upstream = new AtomicLong();
  private final AtomicLong downstream = new AtomicLong();
  private final AtomicLong held = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private boolean holdNewLinks;

  private TcpProxy(ServerSocket listener, InetSocketAddress target) {
    this.listener = listener;
    this.target = target;
  }

  /** Starts a proxy on a free loopback port that forwards to {@code 127.0.0.1:targetPort}. */
  public static TcpProxy start(int targetPort) {
    return start(RedisProcess.HOST, targetPort);
  }

  /** Starts a proxy on a free loopback port that forwards to {@code targetHost:targetPort}. */
  public static TcpProxy start(String targetHost, int targetPort) {
    try {
      ServerSocket listener = new ServerSocket(0, BACKLOG, InetAddress.getLoopbackAddress());
      TcpProxy proxy = new TcpProxy(listener, new InetSocketAddress(targetHost, targetPort));
      Thread acceptor = new Thread(proxy::acceptLoop, "tcp-proxy-" + listener.getLocalPort() + "-accept");
      acceptor.setDaemon(true);
      acceptor.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a TCP proxy", e);
    }
  }

  /** The loopback port clients connect to. */
  public int port() {
    return listener.getLocalPort();
  }

  /**
   * From now on, discard every byte the server sends to the client, on current and new
   * connections, until {@link #cutAll()}. Client→server bytes keep flowing.
   */
  public synchronized void holdDownstream() {
    holdNewLinks = true;
    links.forEach(ProxyLink::holdDownstream);
  }

  /**
   * Resets every current connection on both sides (RST where the OS allows), then lets new
   * connections through normally, with no hold.
   */
  public synchronized void cutAll() {
    holdNewLinks = false;
    links.forEach(ProxyLink::abort);
  }

  /** Bytes forwarded client→server so far, over all connections. */
  public long upstreamBytes() {
    return upstream.get();
  }

  /** Bytes forwarded server→client so far, over all connections. */
  public long downstreamBytes() {
    return downstream.get();
  }

  /** Server→client bytes discarded because of {@link #holdDownstream()}. */
  public long heldBytes() {
    return held.get();
  }

  /** Connections accepted so far. */
  public long acceptedConnections() {
    return accepted.get();
  }

  /** Connections currently open through the proxy. */
  public long openConnections() {
    return links.stream().filter(ProxyLink::isOpen).count();
  }

  /** Waits until at least {@code count} bytes have been forwarded client→server. */
  public void awaitUpstreamBytesAtLeast(long count, Duration timeout) {
    Poll.until(timeout, () -> upstream.get() >= count,
        () -> "proxy :" + port() + " forwarded " + upstream.get() + " upstream bytes, wanted " + count);
  }

  /**
   * Waits until some connection has carried {@code text} (ASCII) client→server. Useful for
   * plain-text traffic such as an HTTP request or the WebSocket upgrade; WebSocket frames from a
   * client are masked, so their payload never appears as text: use {@link #awaitUpstreamBytesAtLeast}.
   */
  public void awaitUpstreamContains(String text, Duration timeout) {
    byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
    Poll.until(timeout, () -> links.stream().anyMatch(link -> link.upstreamContains(needle)),
        () -> "no connection through proxy :" + port() + " carried '" + text + "' upstream ("
            + upstream.get() + " bytes forwarded)");
  }

  /** Stops accepting and resets every connection. */
  @Override
  public void close() {
    try {
      listener.close();
    } catch (IOException ignored) {
      // the listener is going away either way
    }
    cutAll();
  }

  void countUpstream(int bytes) {
    upstream.addAndGet(bytes);
  }

  void countDownstream(int bytes) {
    downstream.addAndGet(bytes);
  }

  void countHeld(int bytes) {
    held.addAndGet(bytes);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        accepted.incrementAndGet();
        connect(client);
      } catch (IOException e) {
        // accept fails once the listener is closed; the loop condition ends it
      }
    }
  }

  private void connect(Socket client) {
    Socket server = new Socket();
    try {
      server.connect(target, CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      ProxyLink.reset(server);
      ProxyLink.reset(client);
      return;
    }
    register(new ProxyLink(this, client, server, "tcp-proxy-" + port() + "-" + accepted.get())).start();
  }

  private synchronized ProxyLink register(ProxyLink link) {
    if (holdNewLinks) {
      link.holdDownstream();
    }
    links.add(link);
    return link;
  }
}
