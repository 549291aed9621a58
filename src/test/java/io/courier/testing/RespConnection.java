package io.courier.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A minimal blocking Redis connection over a plain socket, for tests that inspect keys (XLEN, KEYS,
 * XRANGE) without Vert.x. It speaks RESP2 and never sends HELLO.
 *
 * <p>Replies map to Java as follows: simple string → {@code String}; bulk string → {@code String}
 * (decoded as UTF-8, so binary values are not preserved); integer → {@code Long}; array →
 * unmodifiable {@code List<Object>}; null bulk or null array → {@code null}; error → a thrown
 * {@link RespErrorException} at top level, or a {@code RespErrorException} element inside an array
 * (as EXEC returns them).
 *
 * <p>Not thread-safe: one test thread per connection.
 */
public final class RespConnection implements AutoCloseable {
  /** Loopback connects either succeed or are refused almost at once. */
  static final int CONNECT_TIMEOUT_MILLIS = 2_000;
  /** A reply that takes longer means a hung server or a forgotten blocking command. */
  static final int READ_TIMEOUT_MILLIS = 30_000;

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private RespConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** Connects to a Redis server; a reply that takes over 30 s fails the call. */
  public static RespConnection open(String host, int port) {
    return open(host, port, Duration.ofMillis(READ_TIMEOUT_MILLIS));
  }

  /** Connects to a Redis server; a reply that takes longer than {@code readTimeout} fails the call. */
  public static RespConnection open(String host, int port, Duration readTimeout) {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
      socket.setTcpNoDelay(true);
      return new RespConnection(socket);
    } catch (IOException e) {
      closeQuietly(socket);
      throw new UncheckedIOException("cannot connect to redis at " + host + ":" + port, e);
    }
  }

  /**
   * Sends one command and returns its reply, mapped as the class comment says.
   *
   * @throws RespErrorException if Redis answers with an error
   * @throws UncheckedIOException if the connection fails or closes before the reply
   */
  public Object call(String... args) {
    Object reply;
    try {
      out.write(encode(args));
      out.flush();
      reply = readReply();
    } catch (IOException e) {
      throw new UncheckedIOException("redis command " + Arrays.toString(args) + " failed", e);
    }
    if (reply instanceof RespErrorException error) {
      throw error;
    }
    return reply;
  }

  /**
   * Reads the next reply that was not asked for by {@link #call}: after {@code MONITOR}, one line per command
   * Redis runs (scripts' commands marked {@code [0 lua]}).
   */
  public Object next() {
    try {
      return readReply();
    } catch (IOException e) {
      throw new UncheckedIOException("reading from redis failed", e);
    }
  }

  @Override
  public void close() {
    closeQuietly(socket);
  }

  static byte[] encode(String... args) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    writeAscii(frame, "*" + args.length + "\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      writeAscii(frame, "$" + bytes.length + "\r\n");
      frame.writeBytes(bytes);
      writeAscii(frame, "\r\n");
    }
    return frame.toByteArray();
  }

  private Object readReply() throws IOException {
    int type = in.read();
    if (type < 0) {
      throw new EOFException("redis closed the connection before replying");
    }
    String line = readLine();
    switch (type) {
      case '+':
        return line;
      case '-':
        return new RespErrorException(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        return readBulk(Integer.parseInt(line));
      case '*':
        return readArray(Integer.parseInt(line));
      default:
        throw new IOException("unexpected RESP type byte '" + (char) type + "' (only RESP2 is supported)");
    }
  }

  private String readBulk(int length) throws IOException {
    if (length < 0) {
      return null;
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length < length) {
      throw new EOFException("redis closed the connection inside a bulk string");
    }
    expectCrLf();
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private List<Object> readArray(int count) throws IOException {
    if (count < 0) {
      return null;
    }
    List<Object> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      items.add(readReply());
    }
    return Collections.unmodifiableList(items);
  }

  private String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != '\r'; b = in.read()) {
      if (b < 0) {
        throw new EOFException("redis closed the connection inside a reply line");
      }
      line.write(b);
    }
    if (in.read() != '\n') {
      throw new IOException("malformed RESP line: CR not followed by LF");
    }
    return line.toString(StandardCharsets.UTF_8);
  }

  private void expectCrLf() throws IOException {
    if (in.read() != '\r' || in.read() != '\n') {
      throw new IOException("malformed RESP bulk string: missing CRLF");
    }
  }

  private static void writeAscii(ByteArrayOutputStream out, String text) {
    out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing after a failure; the first error is the one worth reporting
    }
  }
}
