package io.courier.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client JVM of {@link ConnectionBench}: opens idle, authenticated WebSockets to one server from one
 * source address, at a bounded rate, and holds them until told to close.
 *
 * <p>Arguments (all required): {@code host port localAddress tokensFile from count ratePerSecond
 * deadlineSeconds holdSeconds}. Tokens are lines {@code from .. from+count-1} of {@code tokensFile}.
 *
 * <p>Stdout protocol, one line each: {@code progress opened=N failed=N closed=N} every second while
 * connecting; {@code READY opened=N failed=N closed=N millis=N} once every attempt has finished or the
 * deadline passed; {@code error <message>} for the first failures; {@code CLOSED open=N} at the end. It closes
 * everything and exits when stdin has a line {@code close}, stdin ends, or {@code holdSeconds} pass.
 * The WebSocket client answers the server's pings with pongs by itself, so the connections stay alive.
 */
public final class ConnectionBenchClient {
  /** Handshakes in flight at most, so a slow server is not buried under connects that time out. */
  static final int MAX_IN_FLIGHT = 200;
  static final int MAX_REPORTED_ERRORS = 10;

  private ConnectionBenchClient() {
  }

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String localAddress = args[2];
    List<String> tokens = Files.readAllLines(Path.of(args[3]), StandardCharsets.US_ASCII);
    int from = Integer.parseInt(args[4]);
    int count = Integer.parseInt(args[5]);
    int rate = Integer.parseInt(args[6]);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[7]));
    long holdSeconds = Long.parseLong(args[8]);

    Vertx vertx = Vertx.builder().withTransport(BindAddressNoPortTransport.orDefault()).build();
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxConnections(count + 10)
        .setLocalAddress(localAddress)
        .setConnectTimeout(10_000));
    AtomicInteger started = new AtomicInteger();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger opened = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger closed = new AtomicInteger();
    Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    Queue<WebSocket> sockets = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(1);
    long start = System.nanoTime();
    long tickMs = 10;

    vertx.setPeriodic(tickMs, id -> {
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int allowed = (int) Math.min(count, (elapsedMs + tickMs) * rate / 1000);
      boolean late = System.nanoTime() > deadline;
      while (!late && started.get() < allowed && inFlight.get() < MAX_IN_FLIGHT) {
        int index = from + started.getAndIncrement();
        inFlight.incrementAndGet();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port)
            .setURI("/v1/ws").addHeader("Authorization", "Bearer " + tokens.get(index)).setTimeout(30_000);
        client.connect(options).onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded()) {
            WebSocket ws = ar.result();
            ws.textMessageHandler(text -> { });
            ws.closeHandler(v -> closed.incrementAndGet());
            sockets.add(ws);
            opened.incrementAndGet();
          } else {
            failed.incrementAndGet();
            String message = String.valueOf(ar.cause().getMessage());
            if (errors.computeIfAbsent(message, m -> new AtomicInteger()).getAndIncrement() == 0
                && errors.size() <= MAX_REPORTED_ERRORS) {
              System.out.println("error " + message.replace('\n', ' '));
            }
          }
        });
      }
      if ((opened.get() + failed.get() == count || late) && done.getCount() > 0) {
        vertx.cancelTimer(id);
        done.countDown();
      }
    });
    long progress = vertx.setPeriodic(1000, id -> System.out.println("progress opened=" + opened + " failed="
        + failed + " closed=" + closed));
    done.await();
    vertx.cancelTimer(progress);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.println("READY opened=" + opened + " failed=" + failed + " closed=" + closed + " millis=" + millis);
    if (!errors.isEmpty()) {
      System.out.println("errors " + errors);
    }

    Thread stdin = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("close")) {
          if (line.trim().equals("status")) {
            System.out.println("status opened=" + opened + " closed=" + closed);
          }
        }
      } catch (Exception e) {
        // treat like end of input
      }
    }, "stdin");
    stdin.setDaemon(true);
    stdin.start();
    stdin.join(TimeUnit.SECONDS.toMillis(holdSeconds));
    int open = opened.get() - closed.get();
    for (WebSocket ws : sockets) {
      ws.close();
    }
    vertx.close().await(30, TimeUnit.SECONDS);
    System.out.println("CLOSED open=" + open);
    System.exit(0);
  }
}
