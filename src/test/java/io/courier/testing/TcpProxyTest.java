package io.courier.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Self-tests of {@link TcpProxy} in front of a small echo server. */
class TcpProxyTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final int READ_TIMEOUT_MILLIS = 5_000;

  private EchoServer echo;
  private TcpProxy proxy;

  @BeforeEach
  void startEchoServerBehindProxy() throws IOException {
    echo = new EchoServer();
    proxy = TcpProxy.start(echo.port());
  }

  @AfterEach
  void stopBoth() throws IOException {
    proxy.close();
    echo.close();
  }

  @Test
  void forwardsAnEchoRoundTripAndCountsBothDirections() throws IOException {
    try (Socket client = connect()) {
      assertThat(roundTrip(client, "hello")).isEqualTo("hello");

      proxy.awaitUpstreamBytesAtLeast(5, WAIT);
      Poll.until(WAIT, () -> proxy.downstreamBytes() == 5, () -> "downstream count is " + proxy.downstreamBytes());
      assertThat(proxy.acceptedConnections()).isEqualTo(1);
      assertThat(proxy.openConnections()).isEqualTo(1);
    }
  }

  @Test
  void cutAllBreaksAnOpenConnectionOnBothSides() throws IOException {
    try (Socket client = connect()) {
      roundTrip(client, "before");

      proxy.cutAll();

      assertThat(readOutcome(client)).isIn("EOF", "RESET");
      Poll.until(WAIT, () -> echo.endings.size() == 1, () -> "echo server saw " + echo.endings);
      assertThat(proxy.openConnections()).isZero();
    }
  }

  @Test
  void newConnectionsWorkAfterCutAll() throws IOException {
    try (Socket first = connect()) {
      roundTrip(first, "one");
      proxy.cutAll();
    }
    try (Socket second = connect()) {
      assertThat(roundTrip(second, "two")).isEqualTo("two");
    }
  }

  @Test
  void holdDownstreamDropsServerBytesWhileClientBytesStillFlow() throws IOException {
    try (Socket client = connect()) {
      roundTrip(client, "free");
      // the proxy counts a chunk just after writing it, so the client may read it before it is counted
      Poll.until(WAIT, () -> proxy.downstreamBytes() == 4, () -> "downstream count is " + proxy.downstreamBytes());

      proxy.holdDownstream();
      send(client, "held");

      proxy.awaitUpstreamContains("held", WAIT);
      Poll.until(WAIT, () -> proxy.heldBytes() == 4, () -> "held bytes: " + proxy.heldBytes());
      assertThat(client.getInputStream().available()).isZero();
      assertThat(proxy.downstreamBytes()).isEqualTo(4);
    }
  }

  @Test
  void holdDownstreamAlsoAppliesToConnectionsOpenedWhileHeld() throws IOException {
    proxy.holdDownstream();
    try (Socket client = connect()) {
      send(client, "late");

      Poll.until(WAIT, () -> proxy.heldBytes() == 4, () -> "held bytes: " + proxy.heldBytes());
      assertThat(client.getInputStream().available()).isZero();
    }
  }

  @Test
  void cutAllLiftsTheHoldForNewConnections() throws IOException {
    proxy.holdDownstream();
    proxy.cutAll();

    try (Socket client = connect()) {
      assertThat(roundTrip(client, "again")).isEqualTo("again");
    }
  }

  @Test
  void awaitUpstreamContainsFindsPlainTextAndGivesUpOtherwise() throws IOException {
    try (Socket client = connect()) {
      send(client, "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n");

      proxy.awaitUpstreamContains("GET /v1/health", WAIT);
      assertThatThrownBy(() -> proxy.awaitUpstreamContains("POST", Duration.ofMillis(50)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("carried 'POST'");
    }
  }

  @Test
  void aClientCloseIsPassedOnToTheServerAsEndOfStream() throws IOException {
    Socket client = connect();
    roundTrip(client, "bye");

    client.close();

    Poll.until(WAIT, () -> echo.endings.contains("EOF"), () -> "echo server saw " + echo.endings);
    Poll.until(WAIT, () -> proxy.openConnections() == 0, () -> "connections still open through the proxy");
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String roundTrip(Socket socket, String text) throws IOException {
    send(socket, text);
    byte[] reply = socket.getInputStream().readNBytes(text.length());
    return new String(reply, StandardCharsets.US_ASCII);
  }

  /** "EOF" or "RESET"; a read timeout fails the test, because a cut must end the connection. */
  private static String readOutcome(Socket socket) throws IOException {
    try {
      return socket.getInputStream().read() < 0 ? "EOF" : "DATA";
    } catch (SocketException e) {
      return "RESET";
    }
  }

  /** Echoes every byte back on each connection, and records how each connection ended. */
  private static final class EchoServer implements AutoCloseable {
    final List<String> endings = new CopyOnWriteArrayList<>();
    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

    EchoServer() throws IOException {
      daemon(this::acceptLoop).start();
    }

    int port() {
      return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
      listener.close();
    }

    private void acceptLoop() {
      while (!listener.isClosed()) {
        try {
          Socket socket = listener.accept();
          daemon(() -> echo(socket)).start();
        } catch (IOException e) {
          // the listener was closed
        }
      }
    }

    private void echo(Socket socket) {
      try (socket) {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
        }
        endings.add("EOF");
      } catch (IOException e) {
        endings.add("RESET");
      }
    }

    private static Thread daemon(Runnable body) {
      Thread thread = new Thread(body, "echo-server");
      thread.setDaemon(true);
      return thread;
    }
  }
}
