package io.courier.mailbox;

import io.courier.config.CourierConfig.MailboxConfig;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.courier.push.PushScheduling;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link Mailbox} on Redis streams, one stream per device (keys in {@link MailboxRedisKeys}).
 *
 * <ol>
 *   <li>append: {@code mailbox_append.lua} checks the dedup key, the recipient's devices and every mailbox's
 *       length (a full one first drops its expired entries), then XADDs one entry per device and stores the
 *       answer under the dedup key.
 *   <li>read: {@code XRANGE key (after + COUNT n}: entries in stream order; a connection's first read trims
 *       expired entries first ({@code XTRIM MINID}).
 *   <li>ack: {@code XDEL}; an acked entry is gone, so the next connection starts at the oldest unacked one.
 *   <li>receipts: {@code mailbox_receipt.lua} appends to every mailbox of the message's sender; a {@code read}
 *       receipt names only messages the append listed as unread by the reader ({@code ZMSCORE}), which then
 *       leave that list ({@code ZREM}).
 *   <li>wake-ups (push on): both scripts also decide, per device, whether a wake-up is due (no live route, a push
 *       target, none due yet: {@code pushsched:{u:A}:D} gets {@code state=queued}); the devices due are added to
 *       {@code pushq:{push}} before the append is answered (docs/ARCHITECTURE.md "Push").
 * </ol>
 *
 * @implNote Durability is Redis's: an append is answered after Redis has applied it, and survives a Redis
 * crash as far as its AOF fsync policy allows (see README). Ordering is per stream: two appends to one device
 * are delivered in the order Redis applied them.
 */
public final class RedisMailbox implements Mailbox {
  private final Redis redis;
  private final AppendScript appendScript;
  private final ReceiptScript receiptScript;
  private final Duration retention;
  private final PushScheduling push;

  /** A mailbox that schedules no wake-ups ({@code push.enabled} false). */
  public RedisMailbox(Redis redis, MailboxConfig config) {
    this(redis, config, PushScheduling.OFF);
  }

  /** {@code push}: how wake-ups are scheduled for devices without a live connection ({@link PushScheduling#OFF}). */
  public RedisMailbox(Redis redis, MailboxConfig config, PushScheduling push) {
    this.redis = redis;
    this.appendScript = new AppendScript(redis, config.dedupWindow(), config.retention(), config.maxLength(), push);
    this.receiptScript = new ReceiptScript(redis, config.retention(), push);
    this.retention = config.retention();
    this.push = push;
  }

  @Override
  public Future<Written> append(Append append) {
    Future<Written> written = appendScript.run(append, false);
    return (push.enabled() ? written.compose(w -> queued(append.account(), w)) : written)
        .recover(StoreFailures::unavailable);
  }

  /**
   * Adds the devices the append made a wake-up due for to the push queue before the append is answered: a node
   * that dies in between never answered, and the client's resend (a repeat) reports them again.
   */
  private Future<Written> queued(String account, Written written) {
    return push.queue(account, written.pushDue(), written.coalesced()).map(written);
  }

  @Override
  public Future<Void> checkDevices(Append append) {
    return appendScript.run(append, true).<Void>mapEmpty().recover(StoreFailures::unavailable);
  }

  @Override
  public Future<List<ServerFrame.Entry>> read(DeviceId device, String afterEntry, int count) {
    Request xrange = Request.cmd(Command.XRANGE)
        .arg(MailboxRedisKeys.mailbox(device))
        .arg(afterEntry == null ? "-" : "(" + afterEntry)
        .arg("+")
        .arg("COUNT").arg(count);
    if (afterEntry != null) {
      return redis.send(xrange).map(RedisMailbox::entries).recover(StoreFailures::unavailable);
    }
    // A connection's first read also drops what expired while the device was away (one pipelined trip).
    Request trim = Request.cmd(Command.XTRIM).arg(MailboxRedisKeys.mailbox(device)).arg("MINID")
        .arg(System.currentTimeMillis() - retention.toMillis());
    return redis.batch(List.of(trim, xrange)).map(replies -> entries(replies.get(1)))
        .recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Void> ack(DeviceId device, List<String> entries) {
    Request xdel = Request.cmd(Command.XDEL).arg(MailboxRedisKeys.mailbox(device));
    entries.forEach(xdel::arg);
    return redis.send(xdel).<Void>mapEmpty().recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Written> appendReceipt(String sender, ReceiptKind kind, DeviceId by, List<String> ids) {
    Future<Written> written = receiptScript.run(sender, kind, by, ids);
    return (push.enabled() ? written.compose(w -> queued(sender, w)) : written).recover(StoreFailures::unavailable);
  }

  @Override
  public Future<List<String>> findUnread(String reader, String sender, List<String> ids) {
    Request zmscore = Request.cmd(Command.ZMSCORE).arg(MailboxRedisKeys.unread(reader, sender));
    ids.forEach(zmscore::arg);
    return redis.send(zmscore)
        .map(scores -> {
          List<String> unread = new ArrayList<>(ids.size());
          for (int i = 0; i < ids.size(); i++) {
            if (scores.get(i) != null) {
              unread.add(ids.get(i));
            }
          }
          return unread;
        })
        .recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Void> markRead(String reader, String sender, List<String> ids) {
    Request zrem = Request.cmd(Command.ZREM).arg(MailboxRedisKeys.unread(reader, sender));
    ids.forEach(zrem::arg);
    return redis.send(zrem).<Void>mapEmpty().recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Void> delete(DeviceId device) {
    return redis.send(Request.cmd(Command.DEL).arg(MailboxRedisKeys.mailbox(device)))
        .<Void>mapEmpty().recover(StoreFailures::unavailable);
  }

  private static List<ServerFrame.Entry> entries(Response reply) {
    List<ServerFrame.Entry> entries = new ArrayList<>(reply == null ? 0 : reply.size());
    if (reply == null) {
      return entries;
    }
    for (Response item : reply) {
      entries.add(entry(item.get(0).toString(), item.get(1)));
    }
    return entries;
  }

  /** One stream entry as a frame; fields are the pairs {@link MailboxRedisKeys} lists. */
  private static ServerFrame.Entry entry(String id, Response fields) {
    String kind = null;
    String from = null;
    int device = 0;
    String ids = null;
    String ciphertext = null;
    String conversation = null;
    for (int i = 0; i + 1 < fields.size(); i += 2) {
      String value = fields.get(i + 1).toString();
      switch (fields.get(i).toString()) {
        case "k" -> kind = value;
        case "f" -> from = value;
        case "d" -> device = Integer.parseInt(value);
        case "i" -> ids = value;
        case "c" -> ciphertext = value;
        case "t" -> conversation = value;
        default -> { } // fields added by a later version are skipped
      }
    }
    long at = EntryIds.time(id);
    if ("m".equals(kind)) {
      return new ServerFrame.Message(id, ids, from, device, at, ciphertext, conversation);
    }
    return new ServerFrame.Receipt(id, ReceiptKind.fromWire(kind), from, device, Arrays.asList(ids.split(" ")), at);
  }
}
