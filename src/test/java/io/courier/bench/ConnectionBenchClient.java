package io.courier.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One client JVM of {@link ConnectionBench}: opens idle, authenticated WebSockets to one server from one
 * source address, at a bounded rate, and holds them until told to close.
 *
 * <p>Arguments: {@code host port localAddress tokensFile from count ratePerSecond deadlineSeconds holdSeconds},
 * then optionally {@code warmFrom warmCount warmRounds warmRate}. Tokens are lines {@code from .. from+count-1} of
 * {@code tokensFile}. With a warm-up, the client first opens the {@code warmCount} sockets of lines
 * {@code warmFrom ..} at {@code warmRate} per second and closes them again, {@code warmRounds} times, so that
 * its own code is compiled before the measured window as the server's is; the warm-up prints only its
 * {@code warm-up round N opened=N failed=N} lines.
 *
 * <p>Stdin and stdout, one line each: it prints {@code STARTED} when it is set up (after its warm-up), and starts
 * connecting when stdin has a line {@code go} (so the JVM's start-up is outside the measured window); then
 * {@code progress opened=N failed=N closed=N} every second while connecting; {@code READY opened=N failed=N
 * closed=N millis=N} once every attempt has finished or the deadline passed; {@code error <message>} for the first
 * failures; {@code CLOSED open=N} at the end. It closes everything and exits when stdin has a line {@code close},
 * stdin ends, or {@code holdSeconds} pass.
 *
 * <p>The sockets are Netty's own WebSocket client (the RFC 6455 handshake, checked {@code Sec-WebSocket-Accept}
 * included; it answers the server's pings with pongs, so the connections stay alive), with nothing else on them:
 * the load generator shares the box with the server, and a leaner client leaves the server more of it.
 */
public final class ConnectionBenchClient {
  /** Handshakes in flight at most, so a slow server is not buried under connects that time out. */
  static final int MAX_IN_FLIGHT = 200;
  static final int MAX_REPORTED_ERRORS = 10;
  private static final long TICK_MS = 10;

  private final Bootstrap bootstrap;
  private final InetSocketAddress local;
  private final URI uri;
  private final List<String> tokens;

  private ConnectionBenchClient(Bootstrap bootstrap, InetSocketAddress local, URI uri, List<String> tokens) {
    this.bootstrap = bootstrap;
    this.local = local;
    this.uri = uri;
    this.tokens = tokens;
  }

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    List<String> tokens = Files.readAllLines(Path.of(args[3]), StandardCharsets.US_ASCII);
    int from = Integer.parseInt(args[4]);
    int count = Integer.parseInt(args[5]);
    int rate = Integer.parseInt(args[6]);
    long deadlineSeconds = Long.parseLong(args[7]);
    long holdSeconds = Long.parseLong(args[8]);

    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory()
        : NioIoHandler.newFactory());
    Bootstrap bootstrap = new Bootstrap().group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .remoteAddress(new InetSocketAddress(host, port));
    if (epoll) {
      // Each socket is bound to this client's source address before it connects. A plain bind(addr, 0) makes the
      // kernel scan the ephemeral range for a port no other socket holds, which grew to 58% of a client's event-loop
      // time at ~10,000 sockets; with this option the port is picked at connect, where only the 4-tuple must be
      // unique.
      bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
    }
    ConnectionBenchClient client = new ConnectionBenchClient(bootstrap, new InetSocketAddress(args[2], 0),
        URI.create("ws://" + host + ":" + port + "/v1/ws"), tokens);

    CountDownLatch go = new CountDownLatch(1);
    CountDownLatch close = new CountDownLatch(1);
    readCommands(go, close);
    boolean warms = args.length > 9;
    int warmFrom = warms ? Integer.parseInt(args[9]) : 0;
    int warmCount = warms ? Integer.parseInt(args[10]) : 0;
    int warmRounds = warms ? Integer.parseInt(args[11]) : 0;
    int warmRate = warms ? Integer.parseInt(args[12]) : 0;
    for (int round = 1; round <= warmRounds; round++) {
      Batch warmUp = client.connect(warmFrom, warmCount, warmRate, deadlineSeconds, false);
      System.out.println("warm-up round " + round + " opened=" + warmUp.opened + " failed=" + warmUp.failed);
      warmUp.sockets.close().await(30, TimeUnit.SECONDS);
    }
    System.out.println("STARTED");
    go.await();

    Batch batch = client.connect(from, count, rate, deadlineSeconds, true);
    System.out.println("READY opened=" + batch.opened + " failed=" + batch.failed + " closed=" + batch.closed
        + " millis=" + batch.millis);
    if (!batch.errors.isEmpty()) {
      System.out.println("errors " + batch.errors);
    }

    close.await(holdSeconds, TimeUnit.SECONDS);
    int open = batch.opened.get() - batch.closed.get();
    batch.sockets.close().await(30, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS);
    System.out.println("CLOSED open=" + open);
    System.exit(0);
  }

  /**
   * Opens the sockets of tokens {@code from .. from+count-1} at {@code rate} per second and returns once every
   * attempt has finished or the deadline passed; with {@code report}, prints progress and the first errors.
   */
  private Batch connect(int from, int count, int rate, long deadlineSeconds, boolean report)
      throws InterruptedException {
    Batch batch = new Batch(report);
    EventLoopGroup group = bootstrap.config().group();
    AtomicInteger started = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(deadlineSeconds);
    ScheduledFuture<?> ticks = group.scheduleAtFixedRate(() -> {
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int allowed = (int) Math.min(count, (elapsedMs + TICK_MS) * rate / 1000);
      boolean late = System.nanoTime() > deadline;
      while (!late && started.get() < allowed && batch.inFlight.get() < MAX_IN_FLIGHT) {
        String token = tokens.get(from + started.getAndIncrement());
        batch.inFlight.incrementAndGet();
        batch.connect(token);
      }
      if (batch.opened.get() + batch.failed.get() == count || late) {
        done.countDown();
      }
    }, 0, TICK_MS, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> progress = report ? group.scheduleAtFixedRate(() -> System.out.println("progress opened="
        + batch.opened + " failed=" + batch.failed + " closed=" + batch.closed), 1, 1, TimeUnit.SECONDS) : null;
    done.await();
    ticks.cancel(false);
    if (progress != null) {
      progress.cancel(false);
    }
    batch.millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return batch;
  }

  /** The sockets of one {@link #connect} call, and their counts. */
  private final class Batch {
    final boolean report;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final Map<String, AtomicInteger> errors = new ConcurrentHashMap<>();
    final ChannelGroup sockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    long millis;

    Batch(boolean report) {
      this.report = report;
    }

    void connect(String token) {
      WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
          .webSocketUri(uri)
          .customHeaders(new DefaultHttpHeaders().add(HttpHeaderNames.AUTHORIZATION, "Bearer " + token))
          .handshakeTimeoutMillis(30_000)
          .build();
      bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel channel) {
          channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
              new WebSocketClientProtocolHandler(config), new Socket());
        }
      }).connect(bootstrap.config().remoteAddress(), local).addListener(f -> {
        if (!f.isSuccess()) {
          fail(f.cause());
        }
      });
    }

    void fail(Throwable cause) {
      inFlight.decrementAndGet();
      failed.incrementAndGet();
      String message = String.valueOf(cause.getMessage());
      if (errors.computeIfAbsent(message, m -> new AtomicInteger()).getAndIncrement() == 0
          && errors.size() <= MAX_REPORTED_ERRORS && report) {
        System.out.println("error " + message.replace('\n', ' '));
      }
    }

    /** The last handler of one socket: counts its handshake and its close, and drops what the server sends. */
    private final class Socket extends ChannelInboundHandlerAdapter {
      private boolean open;
      private boolean counted;

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
          open = true;
          counted = true;
          sockets.add(ctx.channel());
          inFlight.decrementAndGet();
          opened.incrementAndGet();
        } else if (event == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
          failOnce(ctx.channel(), new IllegalStateException("handshake timed out"));
        }
        super.userEventTriggered(ctx, event);
      }

      @Override
      public void channelRead(ChannelHandlerContext ctx, Object message) {
        ReferenceCountUtil.release(message);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failOnce(ctx.channel(), cause);
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        if (open) {
          closed.incrementAndGet();
        } else {
          failOnce(ctx.channel(), new IllegalStateException("closed during the handshake"));
        }
      }

      private void failOnce(Channel channel, Throwable cause) {
        if (!counted) {
          counted = true;
          fail(cause);
        }
        channel.close();
      }
    }
  }

  /** {@code go} releases the connects, {@code close} (or the end of stdin) the end. */
  private static void readCommands(CountDownLatch go, CountDownLatch close) {
    Thread stdin = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null && !line.trim().equals("close")) {
          switch (line.trim()) {
            case "go" -> go.countDown();
            default -> { }
          }
        }
      } catch (Exception e) {
        // treat like end of input
      }
      go.countDown();
      close.countDown();
    }, "stdin");
    stdin.setDaemon(true);
    stdin.start();
  }
}
