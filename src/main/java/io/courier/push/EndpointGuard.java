package io.courier.push;

import io.courier.net.AddressBlock;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The server-side request forgery guard for Web Push endpoints: a registration may only name a host whose every
 * address is a public unicast one, so a client cannot make the server call into its own network (a metadata
 * service, Redis, an admin page). Checked at registration ({@link #checkOrRefuse}) and again at each delivery
 * ({@link #resolve}), since a name's addresses can change in between; the sender then connects to the address it
 * checked, never resolving the name a second time.
 *
 * <p>Refused: IPv4 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24,
 * 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 (multicast) and 240/4 (reserved, broadcast); IPv6 ::,
 * ::1, 64:ff9b::/96 and 64:ff9b:1::/48 (NAT64, which reaches IPv4 inside), 100::/64, 2001::/23 (IETF protocol
 * assignments, Teredo), 2001:db8::/32, 2002::/16 (6to4, which embeds any IPv4), fc00::/7, fe80::/10, fec0::/10 and
 * ff00::/8. An IPv4-mapped IPv6 address counts as its IPv4 address. {@code push.allowPrivateTargets} lifts the
 * rule (tests and development only).
 *
 * @implNote Resolution uses the JVM's resolver ({@link InetAddress#getAllByName}) on {@link #RESOLVER_THREADS}
 * threads of their own: it blocks.
 */
public final class EndpointGuard {
  private static final List<AddressBlock> FORBIDDEN = List.of(
      "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
      "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
      "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
      "::/128", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32",
      "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8").stream().map(AddressBlock::parse).toList();

  /**
   * Threads for name lookups, shared by every guard of the process: a host whose resolver is slow (each lookup
   * can take seconds) then holds these, not Vert.x's worker pool that the rest of the server uses.
   */
  static final int RESOLVER_THREADS = 4;

  private final WorkerExecutor resolver;
  private final boolean allowPrivate;

  /** @param allowPrivate {@code push.allowPrivateTargets}: every address is allowed */
  public EndpointGuard(Vertx vertx, boolean allowPrivate) {
    this.resolver = vertx.createSharedWorkerExecutor("courier-push-resolver", RESOLVER_THREADS);
    this.allowPrivate = allowPrivate;
  }

  /** Whether {@code address} is a public unicast address. */
  public static boolean isPublic(InetAddress address) {
    byte[] bytes = AddressBlock.literal(address.getHostAddress());
    if (bytes == null) {
      return false;
    }
    return FORBIDDEN.stream().noneMatch(block -> block.contains(bytes));
  }

  /** Succeeds when every address of {@code endpoint}'s host may be called, else {@code FORBIDDEN_PUSH_TARGET}. */
  public Future<Void> checkOrRefuse(String endpoint) {
    String host = host(endpoint);
    return resolver.executeBlocking(() -> {
      try {
        return allowed(host);
      } catch (UnknownHostException e) {
        throw refused("the endpoint's host does not resolve");
      }
    }, false).mapEmpty();
  }

  /**
   * The address to connect to for {@code endpoint}: its host's first address, once every one of them was checked;
   * {@code FORBIDDEN_PUSH_TARGET} when one is not public, {@link UnknownHostException} when the name does not
   * resolve (now: perhaps a passing resolver failure).
   */
  public Future<InetAddress> resolve(String endpoint) {
    String host = host(endpoint);
    return resolver.executeBlocking(() -> allowed(host), false);
  }

  private InetAddress allowed(String host) throws UnknownHostException {
    InetAddress[] all = InetAddress.getAllByName(host);
    if (!allowPrivate) {
      for (InetAddress address : all) {
        if (!isPublic(address)) {
          throw refused("the endpoint's host is a loopback, private, link-local or reserved address");
        }
      }
    }
    return all[0];
  }

  /** The host of an endpoint {@link PushTargetJson} accepted, IPv6 literals without their brackets. */
  static String host(String endpoint) {
    String host = URI.create(endpoint).getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static ProtocolException refused(String message) {
    return new ProtocolException(ErrorCode.FORBIDDEN_PUSH_TARGET, message);
  }
}
