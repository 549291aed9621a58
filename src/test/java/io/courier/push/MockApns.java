package io.courier.push;

import com.eatthepath.pushy.apns.server.MockApnsServer;
import com.eatthepath.pushy.apns.server.MockApnsServerBuilder;
import com.eatthepath.pushy.apns.server.MockApnsServerListener;
import com.eatthepath.pushy.apns.server.PushNotificationHandlerFactory;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http2.Http2Headers;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Pushy's MockApnsServer (real TLS and HTTP/2) on a loopback port, recording what it accepted.
 *
 * @implNote {@code MockApnsServer.start(port)} binds every interface; tests stay on loopback, so this binds its
 *     bootstrap to 127.0.0.1 instead (through the private field: the mock has no address setting).
 */
@SuppressWarnings("deprecation") // NioEventLoopGroup: see ApnsSender.eventLoopGroup
final class MockApns implements AutoCloseable {
  /** One accepted notification: its request headers (lower-case names) and its payload. */
  record Received(Map<String, String> headers, String payload) {}

  final List<Received> accepted = new CopyOnWriteArrayList<>();
  private final MockApnsServer server;
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  final int port;

  MockApns(TestCertificates tls, PushNotificationHandlerFactory handlers) throws Exception {
    server = new MockApnsServerBuilder()
        .setEventLoopGroup(group)
        .setServerCredentials(new java.security.cert.X509Certificate[] {tls.certificate()}, tls.keys().getPrivate(),
            null)
        .setHandlerFactory(handlers)
        .setListener(new Recorder())
        .build();
    port = bindLoopback();
  }

  private int bindLoopback() throws Exception {
    Class<?> base = server.getClass().getSuperclass();
    ServerBootstrap bootstrap = (ServerBootstrap) field(base, "bootstrap").get(server);
    Channel channel = bootstrap.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
    ((ChannelGroup) field(base, "allChannels").get(server)).add(channel);
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field field = type.getDeclaredField(name);
    field.setAccessible(true);
    return field;
  }

  @Override
  public void close() throws Exception {
    server.shutdown().get();
    // without Netty's 2 s quiet period: the server's channels are closed already
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).sync();
  }

  private final class Recorder implements MockApnsServerListener {
    @Override
    public void handlePushNotificationAccepted(Http2Headers headers, ByteBuf payload) {
      Map<String, String> copy = new java.util.TreeMap<>();
      headers.forEach(header -> copy.put(header.getKey().toString(), header.getValue().toString()));
      accepted.add(new Received(copy, payload == null ? "" : payload.toString(StandardCharsets.UTF_8)));
    }

    @Override
    public void handlePushNotificationRejected(Http2Headers headers, ByteBuf payload,
        com.eatthepath.pushy.apns.server.RejectionReason reason, java.time.Instant deviceTokenExpiration) {
      // the sender's outcome is what the tests check
    }
  }
}
