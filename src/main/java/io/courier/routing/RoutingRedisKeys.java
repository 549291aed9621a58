package io.courier.routing;

import io.courier.protocol.DeviceId;

/**
 * Builders for the routing keys, hash-tagged by account.
 *
 * <ul>
 *   <li>{@code conn:{u:A}:D}: integer; device D's last connection epoch (INCR on every connection).
 *   <li>{@code routes:{u:A}}: hash; device number to {@code "<node id> <epoch>"}, the node holding the device's live
 *       connection. A route to a node that left the cluster is stale and cleared when met.
 * </ul>
 * Both expire after {@link DeliveryRouter#ROUTE_TTL_SECONDS} without a connection.
 */
public final class RoutingRedisKeys {
  private RoutingRedisKeys() {}

  static String epoch(DeviceId device) {
    return "conn:{u:" + device.account() + "}:" + device.device();
  }

  public static String routes(String account) {
    return "routes:{u:" + account + "}";
  }
}
