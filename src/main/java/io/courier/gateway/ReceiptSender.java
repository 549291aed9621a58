package io.courier.gateway;

import io.courier.mailbox.Mailbox;
import io.courier.mailbox.Written;
import io.courier.metrics.MetricNames;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.routing.DeliveryRouter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import java.util.List;

/** Appends a receipt to every mailbox of a message's sender and wakes those devices. */
final class ReceiptSender {
  private final Mailbox mailbox;
  private final DeliveryRouter router;

  ReceiptSender(Mailbox mailbox, DeliveryRouter router) {
    this.mailbox = mailbox;
    this.router = router;
  }

  /** @return the sender's devices told; empty when the sender has none left */
  Future<List<Integer>> send(String sender, ReceiptKind kind, DeviceId by, List<String> ids) {
    return mailbox.appendReceipt(sender, kind, by, ids)
        .andThen(written -> {
          if (written.succeeded()) {
            Metrics.counter(MetricNames.name("receipts.stored"), MetricNames.TAG_KIND, kind.wire()).increment();
            Written w = written.result();
            router.wake(sender, w.devices(), w.routes(), w.wakes());
          }
        })
        .map(Written::devices);
  }
}
