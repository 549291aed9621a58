package io.courier.gateway;

import io.courier.mailbox.Mailbox;
import io.courier.mailbox.Written;
import io.courier.metrics.MetricNames;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.routing.DeliveryRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Appends a receipt to every mailbox of a message's sender and wakes those devices. */
final class ReceiptSender {
  /** One counter per kind, looked up once: a receipt goes out for nearly every message. */
  private static final Map<ReceiptKind, Counter> STORED = new EnumMap<>(ReceiptKind.class);

  static {
    for (ReceiptKind kind : ReceiptKind.values()) {
      STORED.put(kind, Metrics.counter(MetricNames.name("receipts.stored"), MetricNames.TAG_KIND, kind.wire()));
    }
  }

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
            STORED.get(kind).increment();
            Written w = written.result();
            router.wake(sender, w.devices(), w.routes(), w.wakes());
          }
        })
        .map(Written::devices);
  }
}
