package io.courier.mailbox;

import io.courier.auth.AccountRedisKeys;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Wrapper of {@code mailbox_append.lua}; the script's header documents every key and argument. */
final class AppendScript {
  private static final RedisScript SCRIPT = RedisScript.load("mailbox_append.lua");

  private final Redis redis;
  private final String dedupSeconds;
  private final String retentionMillis;
  private final String maxLength;

  AppendScript(Redis redis, Duration dedupWindow, Duration retention, int maxLength) {
    this.redis = redis;
    this.dedupSeconds = Long.toString(dedupWindow.toSeconds());
    this.retentionMillis = Long.toString(retention.toMillis());
    this.maxLength = Integer.toString(maxLength);
  }

  Future<Long> run(DeviceId sender, ClientFrame.Send send) {
    List<String> keys = new ArrayList<>(3 + send.envelopes().size());
    keys.add(AccountRedisKeys.account(send.to()));
    keys.add(AccountRedisKeys.devices(send.to()));
    keys.add(MailboxRedisKeys.dedup(send.to(), sender.account(), send.id()));
    List<String> args = new ArrayList<>(6 + 2 * send.envelopes().size());
    args.add(dedupSeconds);
    args.add(retentionMillis);
    args.add(maxLength);
    args.add(sender.account());
    args.add(Integer.toString(sender.device()));
    args.add(send.id());
    for (ClientFrame.OutgoingEnvelope envelope : send.envelopes()) {
      keys.add(MailboxRedisKeys.mailbox(new DeviceId(send.to(), envelope.device())));
      args.add(Integer.toString(envelope.device()));
      args.add(envelope.ciphertext());
    }
    return SCRIPT.run(redis, keys, args).map(reply -> answer(reply, send));
  }

  private static long answer(Response reply, ClientFrame.Send send) {
    String status = reply.get(0).toString();
    switch (status) {
      case "OK", "DUP":
        return reply.get(1).toLong();
      case "NO_ACCOUNT":
        throw new ProtocolException(ErrorCode.UNKNOWN_ACCOUNT, "no account '" + send.to() + "'");
      case "NO_DEVICE":
        throw new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "'" + send.to() + "' has no device "
            + reply.get(1));
      case "FULL":
        throw new ProtocolException(ErrorCode.MAILBOX_FULL, "the mailbox of " + send.to() + " device "
            + reply.get(1) + " is full; retry later");
      default:
        throw new IllegalStateException("unexpected reply from mailbox_append.lua: " + reply);
    }
  }
}
