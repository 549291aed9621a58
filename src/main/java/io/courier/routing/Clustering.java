package io.courier.routing;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.courier.config.CourierConfig.ClusterConfig;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The Hazelcast cluster manager of a clustered node, from {@code cluster.*}: Vert.x's own Hazelcast defaults (which
 * hold the {@code __vertx.*} maps it needs) with the name, address, port and TCP/IP members of the config, or a
 * full Hazelcast XML file when {@code cluster.hazelcastXml} is set.
 *
 * @implNote Routing keeps the cluster's shared state small on purpose: one event-bus address per node and the
 * device routes in Redis (see {@link DeliveryRouter}), so Hazelcast carries no per-device entries.
 */
public final class Clustering {
  private Clustering() {}

  /**
   * {@code cluster.host} as an IP address: Hazelcast's interface list and local address take addresses only, while
   * container platforms hand out host names (a compose service name).
   */
  public static String address(ClusterConfig cluster) {
    try {
      return InetAddress.getByName(cluster.host()).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("cluster.host '" + cluster.host() + "' does not resolve", e);
    }
  }

  public static HazelcastClusterManager manager(ClusterConfig cluster) {
    if (!cluster.hazelcastXml().isBlank()) {
      try {
        return new HazelcastClusterManager(new FileSystemXmlConfig(cluster.hazelcastXml()));
      } catch (FileNotFoundException e) {
        throw new UncheckedIOException("cannot read cluster.hazelcastXml", e);
      }
    }
    String address = address(cluster);
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.local.localAddress", address);
    config.setProperty("hazelcast.socket.bind.any", "false");
    // Members found through the list join at once instead of waiting for more.
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    NetworkConfig network = config.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true);
    network.getInterfaces().setEnabled(true).addInterface(address);
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    if (!cluster.members().isEmpty()) {
      join.getMulticastConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return new HazelcastClusterManager(config);
  }
}
