package io.courier.mailbox;

import io.courier.auth.AccountRedisKeys;
import io.courier.prekeys.PreKeysRedisKeys;
import io.courier.protocol.ClientFrame.OutgoingEnvelope;
import io.courier.protocol.DeviceId;
import io.courier.protocol.DeviceSetMismatch;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
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
import java.util.Arrays;
import java.util.List;

/** Wrapper of {@code mailbox_append.lua}; the script's header documents every key and argument. */
final class AppendScript {
  private static final RedisScript SCRIPT = RedisScript.load("mailbox_append.lua");
  private static final String NO_CONVERSATION = "";

  private final Redis redis;
  private final String dedupSeconds;
  private final String retentionMillis;
  private final String maxLength;
  private final PushScheduling push;
  private final String pushFlag;
  private final String staleMillis;

  AppendScript(Redis redis, Duration dedupWindow, Duration retention, int maxLength, PushScheduling push) {
    this.redis = redis;
    this.push = push;
    this.pushFlag = push.enabled() ? "1" : "0";
    this.staleMillis = Long.toString(push.staleMs());
    this.dedupSeconds = Long.toString(dedupWindow.toSeconds());
    this.retentionMillis = Long.toString(retention.toMillis());
    this.maxLength = Integer.toString(maxLength);
  }

  /** Appends, or with {@code checkOnly} only checks the device set; answers the store time (0 when checking). */
  Future<Written> run(Append append, boolean checkOnly) {
    String account = append.account();
    int envelopes = append.envelopes().size();
    List<String> keys = new ArrayList<>(6 + (push.enabled() ? 3 : 1) * envelopes);
    keys.add(AccountRedisKeys.account(account));
    keys.add(AccountRedisKeys.devices(account));
    keys.add(PreKeysRedisKeys.registrationIds(account));
    keys.add(MailboxRedisKeys.dedup(account, append.sender().account(), append.messageId()));
    keys.add(RoutingRedisKeys.routes(account));
    keys.add(MailboxRedisKeys.unread(account, append.sender().account()));
    List<String> args = new ArrayList<>(9 + 3 * append.envelopes().size());
    args.add(checkOnly ? "check" : "append");
    args.add(dedupSeconds);
    args.add(retentionMillis);
    args.add(maxLength);
    args.add(append.sender().account());
    args.add(Integer.toString(append.sender().device()));
    args.add(append.messageId());
    args.add(append.conversation() == null ? NO_CONVERSATION : append.conversation());
    args.add(Integer.toString(append.leftOut()));
    args.add(pushFlag);
    args.add(staleMillis);
    for (OutgoingEnvelope envelope : append.envelopes()) {
      keys.add(MailboxRedisKeys.mailbox(new DeviceId(account, envelope.device())));
      args.add(Integer.toString(envelope.device()));
      args.add(Integer.toString(envelope.registrationId()));
      args.add(envelope.ciphertext());
    }
    if (push.enabled()) {
      for (OutgoingEnvelope envelope : append.envelopes()) {
        keys.add(PushRedisKeys.target(new DeviceId(account, envelope.device())));
      }
      for (OutgoingEnvelope envelope : append.envelopes()) {
        keys.add(PushRedisKeys.schedule(new DeviceId(account, envelope.device())));
      }
    }
    return SCRIPT.run(redis, keys, args).map(reply -> answer(reply, append));
  }

  private static Written answer(Response reply, Append append) {
    String account = append.account();
    String status = reply.get(0).toString();
    switch (status) {
      case "OK", "DUP":
        return written(reply, append);
      case "NO_ACCOUNT":
        throw new ProtocolException(ErrorCode.UNKNOWN_ACCOUNT, "no account '" + account + "'");
      case "MISMATCH":
        throw new ProtocolException(ErrorCode.MISMATCHED_DEVICES, "the devices of '" + account + "' differ: "
            + "add the missing ones, drop the extra ones",
            new DeviceSetMismatch(account, numbers(reply.get(1)), numbers(reply.get(2)), List.of()));
      case "STALE":
        throw new ProtocolException(ErrorCode.STALE_DEVICES, "devices of '" + account + "' re-registered: "
            + "fetch their keys again", new DeviceSetMismatch(account, List.of(), List.of(), numbers(reply.get(1))));
      case "FULL":
        throw new ProtocolException(ErrorCode.MAILBOX_FULL, "the mailbox of " + account + " device "
            + reply.get(1) + " is full; retry later");
      default:
        throw new IllegalStateException("unexpected reply from mailbox_append.lua: " + reply);
    }
  }

  /**
   * Three values per envelope after the status and store time: route, entry written, entry before it; then, with
   * push, the number of devices coalesced and the devices a wake-up became due for.
   */
  private static Written written(Response reply, Append append) {
    int count = reply.size() == 2 ? 0 : append.envelopes().size();
    List<Integer> devices = new ArrayList<>(count);
    List<String> routes = new ArrayList<>(count);
    List<Signal.Wake> wakes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int at = 2 + 3 * i;
      OutgoingEnvelope envelope = append.envelopes().get(i);
      devices.add(envelope.device());
      routes.add(reply.get(at).toString());
      String entry = reply.get(at + 1).toString();
      wakes.add(entry.isEmpty() ? Signal.WAKE : new Signal.Wake(new ServerFrame.Message(entry, append.messageId(),
          append.sender().account(), append.sender().device(), EntryIds.time(entry), envelope.ciphertext(),
          append.conversation()), reply.get(at + 2).toString()));
    }
    int pushAt = 2 + 3 * count;
    if (reply.size() <= pushAt) {
      return new Written(reply.get(1).toLong(), devices, routes, wakes, 0, List.of());
    }
    List<Integer> due = new ArrayList<>(reply.size() - pushAt - 1);
    for (int i = pushAt + 1; i < reply.size(); i++) {
      due.add(reply.get(i).toInteger());
    }
    return new Written(reply.get(1).toLong(), devices, routes, wakes, reply.get(pushAt).toInteger(), due);
  }

  private static List<Integer> numbers(Response csv) {
    String text = csv == null ? "" : csv.toString();
    return text.isEmpty() ? List.of() : Arrays.stream(text.split(",")).map(Integer::valueOf).toList();
  }
}
