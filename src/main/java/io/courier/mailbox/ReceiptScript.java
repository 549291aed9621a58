package io.courier.mailbox;

import io.courier.auth.AccountRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.redis.RedisScript;
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

  Future<List<Integer>> run(String sender, ReceiptKind kind, DeviceId by, List<String> ids) {
    return SCRIPT.run(redis,
        List.of(AccountRedisKeys.devices(sender)),
        List.of(MailboxRedisKeys.mailboxPrefix(sender), retentionMillis, kind.wire(), by.account(),
            Integer.toString(by.device()), String.join(" ", ids)))
        .map(devices -> {
          List<Integer> numbers = new ArrayList<>(devices.size());
          devices.forEach(d -> numbers.add(Integer.parseInt(d.toString())));
          return numbers;
        });
  }
}
