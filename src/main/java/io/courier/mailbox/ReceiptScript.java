package io.courier.mailbox;

import io.courier.auth.AccountRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.courier.push.PushRedisKeys;
import io.courier.push.PushScheduling;
import io.courier.redis.RedisScript;
import io.courier.routing.RoutingRedisKeys;
import io.courier.routing.Signal;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wrapper of {@code mailbox_receipt.lua}; the script's header documents every key and argument. */
final class ReceiptScript {
  private static final RedisScript SCRIPT = RedisScript.load("mailbox_receipt.lua");

  private final Redis redis;
  private final String retentionMillis;
  /** Whether receipts make wake-ups due: {@code push.enabled} and {@code push.receipts}. */
  private final boolean push;
  private final String staleMillis;

  ReceiptScript(Redis redis, Duration retention, PushScheduling push) {
    this.redis = redis;
    this.retentionMillis = Long.toString(retention.toMillis());
    this.push = push.enabled() && push.receipts();
    this.staleMillis = Long.toString(push.staleMs());
  }

  Future<Written> run(String sender, ReceiptKind kind, DeviceId by, List<String> ids) {
    List<String> args = new ArrayList<>(10);
    args.addAll(List.of(MailboxRedisKeys.mailboxPrefix(sender), retentionMillis, kind.wire(), by.account(),
        Integer.toString(by.device()), String.join(" ", ids)));
    if (push) {
      args.addAll(List.of("1", PushRedisKeys.targetPrefix(sender), PushRedisKeys.schedulePrefix(sender),
          staleMillis));
    }
    return SCRIPT.run(redis, List.of(AccountRedisKeys.devices(sender), RoutingRedisKeys.routes(sender)), args)
        .map(reply -> written(reply, kind, by, ids));
  }

  /** Four values per device (number, route, entry written, entry before it), and with push a fifth. */
  private Written written(Response reply, ReceiptKind kind, DeviceId by, List<String> ids) {
    int stride = push ? 5 : 4;
    int count = reply.size() / stride;
    List<Integer> devices = new ArrayList<>(count);
    List<String> routes = new ArrayList<>(count);
    List<Signal.Wake> wakes = new ArrayList<>(count);
    List<Integer> due = new ArrayList<>(0);
    int coalesced = 0;
    for (int i = 0; i + stride - 1 < reply.size(); i += stride) {
      int device = Integer.parseInt(reply.get(i).toString());
      devices.add(device);
      routes.add(reply.get(i + 1).toString());
      String entry = reply.get(i + 2).toString();
      wakes.add(new Signal.Wake(new ServerFrame.Receipt(entry, kind, by.account(), by.device(), ids,
          EntryIds.time(entry)), reply.get(i + 3).toString()));
      if (push) {
        String scheduled = reply.get(i + 4).toString();
        if (scheduled.equals("due")) {
          due.add(device);
        } else if (scheduled.equals("coalesced")) {
          coalesced++;
        }
      }
    }
    return new Written(0, devices, routes, wakes, coalesced, due);
  }
}
