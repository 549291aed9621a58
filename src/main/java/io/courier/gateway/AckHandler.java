package io.courier.gateway;

import io.courier.mailbox.Mailbox;
import io.courier.metrics.MetricNames;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
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
 * Replies {@code ok} only when the ack carried an id. Errors: {@code UNKNOWN_ENTRY}, {@code UNAVAILABLE}.
 */
final class AckHandler {
  private static final Counter ENTRIES_ACKED = Metrics.counter(MetricNames.name("entries.acked"));

  private final Mailbox mailbox;
  private final ReceiptSender receipts;

  AckHandler(Mailbox mailbox, ReceiptSender receipts) {
    this.mailbox = mailbox;
    this.receipts = receipts;
  }

  Future<ServerFrame> handle(DeviceId device, DeliveryLoop delivery, ClientFrame.Ack ack) {
    List<DeliveryLoop.Delivered> entries = delivery.acking(ack.entries());
    return deliveredReceipts(device, entries)
        .compose(v -> mailbox.ack(device, ack.entries()))
        .andThen(done -> {
          if (done.succeeded()) {
            ENTRIES_ACKED.increment(entries.size());
            delivery.acked(ack.entries());
          } else {
            delivery.ackFailed(ack.entries());
          }
        })
        .map(v -> ack.id() == null ? null : new ServerFrame.Ok(ack.id()));
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
