package io.courier.mailbox;

import io.courier.auth.AccountRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.courier.redis.RedisScript;
import io.courier.routing.RoutingRedisKeys;
import io.courier.routing.Signal;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wrapper of {@code mailbox_receipt.lua}; the script's header documents every key and argument. */
final class ReceiptScript {
  private static final RedisScript SCRIPT = RedisScript.load("mailbox_receipt.lua");

  private final Redis redis;
  private final String retentionMillis;

  ReceiptScript(Redis redis, Duration retention) {
    this.redis = redis;
    this.retentionMillis = Long.toString(retention.toMillis());
  }

  Future<Written> run(String sender, ReceiptKind kind, DeviceId by, List<String> ids) {
    return SCRIPT.run(redis,
        List.of(AccountRedisKeys.devices(sender), RoutingRedisKeys.routes(sender)),
        List.of(MailboxRedisKeys.mailboxPrefix(sender), retentionMillis, kind.wire(), by.account(),
            Integer.toString(by.device()), String.join(" ", ids)))
        .map(reply -> {
          // four values per device: number, route, entry written, entry before it
          int count = reply.size() / 4;
          List<Integer> devices = new ArrayList<>(count);
          List<String> routes = new ArrayList<>(count);
          List<Signal.Wake> wakes = new ArrayList<>(count);
          for (int i = 0; i + 3 < reply.size(); i += 4) {
            devices.add(Integer.parseInt(reply.get(i).toString()));
            routes.add(reply.get(i + 1).toString());
            String entry = reply.get(i + 2).toString();
            wakes.add(new Signal.Wake(new ServerFrame.Receipt(entry, kind, by.account(), by.device(), ids,
                EntryIds.time(entry)), reply.get(i + 3).toString()));
          }
          return new Written(0, devices, routes, wakes);
        });
  }
}
