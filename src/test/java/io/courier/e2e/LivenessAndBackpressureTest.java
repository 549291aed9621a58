package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.TcpProxy;
import io.courier.testing.WireClient;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Half-open sockets are found by ping and idle timeout; a reader that stops reading stops the server reading. */
class LivenessAndBackpressureTest {
  @RegisterExtension
  static final ServerExtension SERVER =
      new ServerExtension("connection.pingInterval=PT1S", "connection.idleTimeout=PT2S");

  @Test
  void halfOpenSocketIsClosedAfterTheIdleTimeout() {
    Session bob = SERVER.accounts().register("bob");
    double before = SERVER.metric("courier_connections_closed_total", "reason=\"IDLE_TIMEOUT\"");
    try (TcpProxy proxy = TcpProxy.start(SERVER.port());
         WireClient b = WireClient.connect(SERVER.vertx(), proxy.port(), bob.accessToken())) {
      b.expect("drained");
      // From here the server's pings never arrive, so no pong comes back: the socket is half-open.
      proxy.holdDownstream();
      Poll.until(Duration.ofSeconds(10),
          () -> SERVER.metric("courier_connections_closed_total", "reason=\"IDLE_TIMEOUT\"") > before,
          () -> "server closed the silent socket with IDLE_TIMEOUT");
    }
  }

  @Test
  void activeSocketAnsweringPingsStaysOpenPastTheIdleTimeout() {
    Session bob = SERVER.accounts().register("bob");
    try (WireClient b = SERVER.connect(bob)) {
      b.expect("drained");
      long start = System.currentTimeMillis();
      Poll.until(Duration.ofSeconds(10), () -> System.currentTimeMillis() - start > 3_500, () -> "time passes");
      assertThat(b.isClosed()).isFalse();
      b.assertAlive("still-here");
    }
  }

  @Test
  void slowReaderPausesDeliveryInsteadOfBufferingEverything() throws Exception {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    int count = 400;
    String big = "A".repeat(64_000);
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int i = 0; i < count; i++) {
        a.send(new JsonObject().put("type", "send").put("id", "m" + i).put("to", bob.account())
            .put("envelopes", new io.vertx.core.json.JsonArray().add(new JsonObject().put("device", bob.device())
                .put("ciphertext", big))));
      }
      for (int i = 0; i < count; i++) {
        a.expect("sent");
      }
    }
    double pausedBefore = SERVER.metric("courier_delivery_paused_total", "reason=\"write_queue_full\"");
    double deliveredBefore = SERVER.metric("courier_entries_delivered_total", "");
    try (Socket slow = new Socket()) {
      slow.setReceiveBufferSize(4096);
      slow.connect(new InetSocketAddress("127.0.0.1", SERVER.port()));
      OutputStream out = slow.getOutputStream();
      out.write(("GET /v1/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
          + "Authorization: Bearer " + bob.accessToken() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = slow.getInputStream();
      assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
      // Now read nothing: the server must notice the full write queue and stop reading the mailbox.
      Poll.until(Duration.ofSeconds(20),
          () -> SERVER.metric("courier_delivery_paused_total", "reason=\"write_queue_full\"") > pausedBefore,
          () -> "delivery paused on the full write queue");
      double delivered = SERVER.metric("courier_entries_delivered_total", "") - deliveredBefore;
      assertThat(delivered).as("entries pushed to a reader that reads nothing").isLessThan(count);

      // Reading again drains the socket and the rest follows.
      long total = 0;
      long expected = (long) count * 64_000;
      byte[] buffer = new byte[65_536];
      long deadline = System.currentTimeMillis() + 30_000;
      while (total < expected && System.currentTimeMillis() < deadline) {
        int n = in.read(buffer);
        if (n < 0) {
          break;
        }
        total += n;
      }
      assertThat(total).isGreaterThanOrEqualTo(expected);
    }
  }
}
