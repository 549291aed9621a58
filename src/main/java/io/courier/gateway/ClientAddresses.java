package io.courier.gateway;

import io.courier.net.AddressBlock;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The client address that the limits per address count ({@code limits.registrationsPerMinute},
 * {@code limits.linkAttemptsPerMinute}): the connecting address, or, when that is one of
 * {@code server.trustedProxies}, the address that the nearest trusted proxy saw.
 *
 * <p>Behind HAProxy ({@code option forwardfor}, docker/haproxy.cfg) every request comes from the balancer, which
 * appends the address it accepted the connection from to {@code X-Forwarded-For}. The header is read from its right
 * end: entries added by trusted proxies are skipped, and the first one that is not a trusted proxy is the client.
 * Anything to the left of it came from the client itself and is never believed, and the header of a connection
 * that is not from a trusted proxy is ignored, so a client cannot choose its address by sending the header. An
 * entry there that is not an IP address leaves the proxy's own address (stricter, never looser).
 *
 * <p>An IPv6 client counts as its /64 network: one subscriber usually holds a whole /64, so counting single
 * addresses would let it take a fresh bucket per request.
 */
final class ClientAddresses {
  /** Bits of an IPv6 address that one client is counted by. */
  static final int IPV6_CLIENT_PREFIX_BITS = 64;
  private static final String FORWARDED_FOR = "X-Forwarded-For";

  private final List<AddressBlock> trustedProxies;

  ClientAddresses(List<String> trustedProxies) {
    this.trustedProxies = trustedProxies.stream().map(AddressBlock::parse).toList();
  }

  /** The client address of {@code request}, as a bucket name: {@code 192.0.2.7} or {@code 2001:db8:0:1::/64}. */
  String of(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    String peerText = peer == null ? null : peer.hostAddress();
    byte[] client = AddressBlock.literal(peerText);
    if (client == null) {
      // Not an IP connection (a domain socket): one bucket for all of them.
      return "local";
    }
    if (isTrusted(client)) {
      client = forwardedClient(request.headers().getAll(FORWARDED_FOR), client);
    }
    return bucket(client);
  }

  /** Walks {@code X-Forwarded-For} from the right past trusted proxies; {@code proxy} when nothing better is there. */
  private byte[] forwardedClient(List<String> headers, byte[] proxy) {
    List<String> hops = new ArrayList<>();
    for (String header : headers) {
      for (String hop : header.split(",")) {
        hops.add(hop.trim());
      }
    }
    byte[] nearest = proxy;
    for (int i = hops.size() - 1; i >= 0; i--) {
      byte[] hop = AddressBlock.literal(hops.get(i));
      if (hop == null) {
        return nearest;
      }
      if (!isTrusted(hop)) {
        return hop;
      }
      nearest = hop;
    }
    return nearest;
  }

  private boolean isTrusted(byte[] address) {
    for (AddressBlock block : trustedProxies) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** IPv4 as is; IPv6 cut to its /64, written as four groups and {@code ::/64}. */
  static String bucket(byte[] address) {
    if (address.length == 4) {
      return (address[0] & 0xff) + "." + (address[1] & 0xff) + "." + (address[2] & 0xff) + "." + (address[3] & 0xff);
    }
    StringBuilder network = new StringBuilder();
    for (int i = 0; i < IPV6_CLIENT_PREFIX_BITS / 8; i += 2) {
      network.append(Integer.toHexString(((address[i] & 0xff) << 8) | (address[i + 1] & 0xff))).append(':');
    }
    return network.append(":/").append(IPV6_CLIENT_PREFIX_BITS).toString();
  }
}
