package io.courier.gateway;

import io.courier.mailbox.Mailbox;
import io.courier.metrics.MetricNames;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ack}: {@code {"type":"ack","entries":[<entry id>...]}}.
 *
 * <p>Checks that every entry was delivered on this connection ({@code UNKNOWN_ENTRY} otherwise, nothing
 * removed), appends one {@code delivered} receipt per sender for the acked messages, and only then removes the
 * entries from the mailbox: a crash in between redelivers them and repeats the receipt, never loses it.
 * Replies {@code ok} only when the ack carried an id, once the ack is stored. Errors: {@code UNKNOWN_ENTRY}.
 *
 * <p>When the store does not answer, the ack is stored again after {@link #FIRST_RETRY}, then twice as long each
 * time up to {@link #MAX_RETRY}, for as long as the connection is open. The device has acked and has no reason to
 * ack again: without the retry its senders' receipts would wait for its next connection, and entries held in the
 * flow-control window would stop its delivery. A receipt stored before a failed removal is stored again
 * (receipts are at-least-once).
 */
final class AckHandler {
  static final Duration FIRST_RETRY = Duration.ofMillis(100);
  static final Duration MAX_RETRY = Duration.ofSeconds(5);
  private static final Counter ENTRIES_ACKED = Metrics.counter(MetricNames.name("entries.acked"));
  private static final Counter ACKS_RETRIED = Metrics.counter(MetricNames.name("acks.retried"));

  private final Vertx vertx;
  private final Mailbox mailbox;
  private final ReceiptSender receipts;

  AckHandler(Vertx vertx, Mailbox mailbox, ReceiptSender receipts) {
    this.vertx = vertx;
    this.mailbox = mailbox;
    this.receipts = receipts;
  }

  Future<ServerFrame> handle(DeviceId device, DeliveryLoop delivery, ClientFrame.Ack ack) {
    List<DeliveryLoop.Delivered> entries = delivery.acking(ack.entries());
    return store(device, delivery, ack.entries(), entries, FIRST_RETRY.toMillis())
        .map(v -> ack.id() == null ? null : new ServerFrame.Ok(ack.id()));
  }

  private Future<Void> store(DeviceId device, DeliveryLoop delivery, List<String> ids,
      List<DeliveryLoop.Delivered> entries, long retryMillis) {
    return deliveredReceipts(device, entries)
        .compose(v -> mailbox.ack(device, ids))
        .transform(done -> {
          if (done.succeeded()) {
            ENTRIES_ACKED.increment(entries.size());
            delivery.acked(ids);
            return Future.succeededFuture();
          }
          if (delivery.stopped() || !temporary(done.cause())) {
            delivery.ackFailed(ids);
            return Future.failedFuture(done.cause());
          }
          ACKS_RETRIED.increment();
          Promise<Void> retried = Promise.promise();
          vertx.setTimer(retryMillis, t -> store(device, delivery, ids, entries,
              Math.min(2 * retryMillis, MAX_RETRY.toMillis())).onComplete(retried));
          return retried.future();
        });
  }

  private static boolean temporary(Throwable failure) {
    return failure instanceof ProtocolException refusal && refusal.code().temporary();
  }

  /** One receipt per sender, naming all of that sender's messages in this ack. */
  private Future<Void> deliveredReceipts(DeviceId device, List<DeliveryLoop.Delivered> entries) {
    Map<String, List<String>> idsBySender = new LinkedHashMap<>();
    for (DeliveryLoop.Delivered entry : entries) {
      if (entry.receiptTo != null) {
        idsBySender.computeIfAbsent(entry.receiptTo, s -> new ArrayList<>()).add(entry.messageId);
      }
    }
    List<Future<List<Integer>>> sent = new ArrayList<>(idsBySender.size());
    idsBySender.forEach((sender, ids) -> sent.add(receipts.send(sender, ReceiptKind.DELIVERED, device, ids)));
    return Future.all(sent).mapEmpty();
  }
}
