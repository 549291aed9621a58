package io.courier.gateway;

import io.courier.limits.RateLimiter;
import io.courier.mailbox.Mailbox;
import io.courier.metrics.MetricNames;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ServerFrame;
import io.courier.routing.DeliveryRouter;
import io.courier.routing.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;

/**
 * {@code send}: {@code {"type":"send","id":<message id>,"to":<account>,"envelopes":[{"device","ciphertext"}]}}.
 *
 * <p>Takes a token from the sender account's send limit, appends every envelope to its device's mailbox
 * (atomic, idempotent by message id), wakes each recipient device wherever it is connected, and answers
 * {@code sent} with the store time. Errors: {@code RATE_LIMITED}, {@code UNKNOWN_ACCOUNT}, {@code UNKNOWN_DEVICE},
 * {@code MAILBOX_FULL}, {@code UNAVAILABLE} (plus the codec's field errors). Never closes the connection.
 */
final class SendHandler {
  private static final Counter MESSAGES_SENT = Metrics.counter(MetricNames.name("messages.sent"));
  private static final Counter ENVELOPES_STORED = Metrics.counter(MetricNames.name("envelopes.stored"));

  private final Mailbox mailbox;
  private final DeliveryRouter router;
  private final RateLimiter limiter;

  SendHandler(Mailbox mailbox, DeliveryRouter router, RateLimiter limiter) {
    this.mailbox = mailbox;
    this.router = router;
    this.limiter = limiter;
  }

  Future<ServerFrame> handle(DeviceId sender, ClientFrame.Send send) {
    return limiter.take(sender.account())
        .compose(v -> mailbox.append(sender, send))
        .andThen(stored -> {
          if (stored.succeeded()) {
            MESSAGES_SENT.increment();
            ENVELOPES_STORED.increment(send.envelopes().size());
            send.envelopes().forEach(e -> router.signal(new DeviceId(send.to(), e.device()), Signal.WAKE));
          }
        })
        .map(at -> new ServerFrame.Sent(send.id(), at));
  }
}
