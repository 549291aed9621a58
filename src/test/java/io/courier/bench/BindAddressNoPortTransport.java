package io.courier.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.transport.Transport;
import java.util.concurrent.ThreadFactory;

/**
 * Vert.x's epoll transport, with {@code IP_BIND_ADDRESS_NO_PORT} on every client socket.
 *
 * <p>Why: a bench client binds each socket to its own source address ({@code 127.0.0.x}) before connecting.
 * A plain {@code bind(addr, port 0)} makes the kernel pick a free port on the spot, scanning the ephemeral range
 * for one no other socket is bound to; with thousands of sockets already bound to that address the scan grows with
 * every connection (the profile showed {@code bind} as 58% of a client JVM's event-loop time at ~10,000 sockets).
 * With the option the kernel picks the port at {@code connect}, where it only has to keep the 4-tuple unique.
 * The load generator shares the box's 2 cores with the server, so its waste is taken from the server.
 */
final class BindAddressNoPortTransport implements Transport {
  private final io.vertx.core.spi.transport.Transport implementation;

  private BindAddressNoPortTransport(io.vertx.core.spi.transport.Transport epoll) {
    this.implementation = new NoPortClients(epoll);
  }

  /** This transport when epoll is available, else Vert.x's default (NIO), whose sockets bind the usual way. */
  static Transport orDefault() {
    return Transport.EPOLL.available() ? new BindAddressNoPortTransport(Transport.EPOLL.implementation())
        : Transport.NIO;
  }

  @Override
  public String name() {
    return "epoll, IP_BIND_ADDRESS_NO_PORT";
  }

  @Override
  public boolean available() {
    return true;
  }

  @Override
  public Throwable unavailabilityCause() {
    return null;
  }

  @Override
  public io.vertx.core.spi.transport.Transport implementation() {
    return implementation;
  }

  /** Delegates everything to epoll and adds the option when a client bootstrap is configured. */
  private record NoPortClients(io.vertx.core.spi.transport.Transport epoll)
      implements io.vertx.core.spi.transport.Transport {
    @Override
    public void configure(ClientOptionsBase options, int connectTimeout, boolean domainSocket, Bootstrap bootstrap) {
      epoll.configure(options, connectTimeout, domainSocket, bootstrap);
      if (!domainSocket) {
        bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
      }
    }

    @Override
    public boolean supportsDomainSockets() {
      return epoll.supportsDomainSockets();
    }

    @Override
    public boolean supportFileRegion() {
      return epoll.supportFileRegion();
    }

    @Override
    public boolean isAvailable() {
      return epoll.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
      return epoll.unavailabilityCause();
    }

    @Override
    public java.net.SocketAddress convert(io.vertx.core.net.SocketAddress address) {
      return epoll.convert(address);
    }

    @Override
    public io.vertx.core.net.SocketAddress convert(java.net.SocketAddress address) {
      return epoll.convert(address);
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
      return epoll.ioHandlerFactory();
    }

    @Override
    public EventLoopGroup eventLoopGroup(int type, int threads, ThreadFactory factory, int ioRatio) {
      return epoll.eventLoopGroup(type, threads, factory, ioRatio);
    }

    @Override
    public DatagramChannel datagramChannel() {
      return epoll.datagramChannel();
    }

    @Override
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
      return epoll.datagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
      return epoll.channelFactory(domainSocket);
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
      return epoll.serverChannelFactory(domainSocket);
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
      epoll.configure(channel, options);
    }

    @Override
    public void configure(NetServerOptions options, boolean domainSocket, ServerBootstrap bootstrap) {
      epoll.configure(options, domainSocket, bootstrap);
    }
  }
}
