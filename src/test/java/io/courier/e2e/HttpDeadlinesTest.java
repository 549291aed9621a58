package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP connections cannot hold a node's file descriptors by sending nothing, or too little too slowly
 * ({@code server.requestHeaderTimeout}, {@code server.idleTimeout}), while a WebSocket follows only its own liveness
 * rules (PROTOCOL §7). Raw sockets, so the test controls every byte.
 */
class HttpDeadlinesTest {
  /** {@code server.requestHeaderTimeout} here. */
  static final Duration HEAD_TIMEOUT = Duration.ofSeconds(1);
  /** {@code server.idleTimeout} here. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
  /** How long a test waits for the server to close a connection before failing. */
  static final Duration CLOSE_DEADLINE = Duration.ofSeconds(10);

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(
      "server.requestHeaderTimeout=PT1S", "server.idleTimeout=PT2S",
      // WebSocket liveness well above the HTTP idle timeout: a ping every 3 s, closed after 10 s of silence.
      "connection.pingInterval=PT3S", "connection.idleTimeout=PT10S");

  @Test
  void connectionThatSendsNothingIsClosedAfterTheRequestHeaderTimeout() throws IOException {
    try (Socket socket = open()) {
      long start = System.nanoTime();
      assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
      assertThat(elapsed(start)).isBetween(HEAD_TIMEOUT.minusMillis(200), CLOSE_DEADLINE);
    }
  }

  @Test
  void slowLorisHeadIsClosedAtTheRequestHeaderDeadlineThoughBytesKeepComing() throws IOException {
    byte[] head = ("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a".repeat(200) + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    try (Socket socket = open()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      // One byte every 200 ms (far more often than any idle timeout), each followed by a 200 ms look for the close.
      socket.setSoTimeout(200);
      long start = System.nanoTime();
      int sent = 0;
      boolean closed = false;
      while (!closed && sent < head.length && elapsed(start).compareTo(CLOSE_DEADLINE) < 0) {
        try {
          out.write(head[sent]);
          out.flush();
          sent++;
          closed = in.read() == -1;
        } catch (SocketTimeoutException stillOpen) {
          // nothing came back within 200 ms: the connection is still open, send the next byte
        } catch (IOException reset) {
          closed = true;
        }
      }
      assertThat(closed).as("closed before the head was complete (%d of %d bytes sent)", sent, head.length)
          .isTrue();
      assertThat(sent).isLessThan(head.length);
      assertThat(elapsed(start)).isLessThan(HEAD_TIMEOUT.multipliedBy(4));
    }
  }

  @Test
  void refusedHandshakeOnAKeptAliveConnectionIsClosedAfterTheIdleTimeout() throws IOException {
    try (Socket socket = open()) {
      write(socket, "GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Authorization: Bearer not-a-token\r\n\r\n");
      String response = readResponse(socket.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 401").contains("TOKEN_INVALID");
      assertThat(response.toLowerCase()).doesNotContain("connection: close");
      long answered = System.nanoTime();
      assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
      assertThat(elapsed(answered)).isBetween(IDLE_TIMEOUT.minusMillis(300), CLOSE_DEADLINE);
    }
  }

  @Test
  void keptAliveConnectionServesRequestsUntilItIdles() throws IOException {
    try (Socket socket = open()) {
      for (int i = 0; i < 3; i++) {
        write(socket, "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        assertThat(readResponse(socket.getInputStream())).startsWith("HTTP/1.1 200").contains("UP");
      }
      long answered = System.nanoTime();
      assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
      assertThat(elapsed(answered)).isBetween(IDLE_TIMEOUT.minusMillis(300), CLOSE_DEADLINE);
    }
  }

  @Test
  void requestBodyThatStopsArrivingIsClosedAfterTheIdleTimeout() throws IOException {
    try (Socket socket = open()) {
      write(socket, "POST /v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"username\":");
      long stalled = System.nanoTime();
      assertThat(readUntilClosed(socket.getInputStream())).isEmpty();
      assertThat(elapsed(stalled)).isBetween(IDLE_TIMEOUT.minusMillis(300), CLOSE_DEADLINE);
    }
  }

  @Test
  void webSocketSilentForLongerThanTheHttpIdleTimeoutStaysOpen() {
    Session bob = SERVER.accounts().register("bob");
    try (WireClient b = SERVER.connect(bob)) {
      b.expect("drained");
      long start = System.nanoTime();
      // The client sends nothing for over twice the HTTP idle timeout (it only answers the server's pings).
      Poll.until(Duration.ofSeconds(10), () -> elapsed(start).compareTo(IDLE_TIMEOUT.multipliedBy(2).plusMillis(500))
          > 0 || b.isClosed(), () -> "time passes");
      assertThat(b.isClosed()).isFalse();
      b.assertAlive("still-here");
    }
  }

  /** A connection whose reads give up after {@link #CLOSE_DEADLINE}. */
  private static Socket open() throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", SERVER.port()));
    socket.setSoTimeout((int) CLOSE_DEADLINE.toMillis());
    return socket;
  }

  private static void write(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  /** Reads until the server closes (EOF or reset) and returns what came; fails if nothing happens in time. */
  private static String readUntilClosed(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    while (true) {
      int b;
      try {
        b = in.read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("the server did not close the connection within " + CLOSE_DEADLINE, e);
      } catch (IOException reset) {
        return got.toString(StandardCharsets.US_ASCII);
      }
      if (b == -1) {
        return got.toString(StandardCharsets.US_ASCII);
      }
      got.write(b);
    }
  }

  /** One response: the head, then {@code Content-Length} bytes of body. */
  private static String readResponse(InputStream in) throws IOException {
    StringBuilder all = new StringBuilder();
    while (!all.toString().endsWith("\r\n\r\n")) {
      all.append((char) readByte(in));
    }
    java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(all);
    int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
    for (int i = 0; i < body; i++) {
      all.append((char) readByte(in));
    }
    return all.toString();
  }

  private static int readByte(InputStream in) throws IOException {
    int b = in.read();
    if (b == -1) {
      throw new AssertionError("closed before a full response");
    }
    return b;
  }

  private static Duration elapsed(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
