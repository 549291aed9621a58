package io.courier.gateway;

import io.courier.limits.RateLimiter;
import io.courier.mailbox.Append;
import io.courier.mailbox.Mailbox;
import io.courier.mailbox.Written;
import io.courier.metrics.MetricNames;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ServerFrame;
import io.courier.routing.DeliveryRouter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;

/**
 * {@code send}: {@code {"type":"send","id":<message id>,"to":<account>,"envelopes":[{"device","ciphertext"}]}}.
 *
 * <p>Takes a token from the sender account's send limit; when the frame has {@code sync}, checks the sender's
 * own device set first; appends the envelopes to the recipient's device mailboxes (device-set check and append
 * in one atomic, idempotent step); then appends the sync copies; wakes every device written, wherever it is
 * connected; and answers {@code sent} with the recipient's store time. Errors: {@code RATE_LIMITED},
 * {@code UNKNOWN_ACCOUNT}, {@code MISMATCHED_DEVICES}, {@code STALE_DEVICES}, {@code MAILBOX_FULL},
 * {@code UNAVAILABLE} (plus the codec's field errors). Never closes the connection.
 *
 * @implNote The recipient's and the sender's mailboxes live in different Redis Cluster slots, so the two
 * appends cannot be one transaction: if the sender's device set changes between the check and the sync append,
 * the recipient's part is kept and the client's resend with the same id completes the rest.
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

  /**
   * Handles one send. {@code placed} completes as soon as the send's place in the recipient's mailbox order is
   * fixed: its append has been written to the Redis connection (which applies commands in the order they were
   * written), or the send failed before that. A connection starts its next send then, not when this one is
   * answered, so one device's sends are stored in order while several are in flight.
   */
  Future<ServerFrame> handle(DeviceId sender, ClientFrame.Send send, Promise<Void> placed) {
    if (send.sync() != null && send.to().equals(sender.account())) {
      return Future.failedFuture(new ProtocolException(ErrorCode.INVALID_FIELD, "a message to your own account "
          + "reaches your other devices through 'envelopes'; it has no 'sync'"));
    }
    Append recipient = Append.toRecipient(sender, send);
    Append sync = send.sync() == null ? null : Append.syncCopies(sender, send);
    return limiter.take(sender.account())
        .compose(v -> sync == null ? Future.<Void>succeededFuture() : mailbox.checkDevices(sync))
        .compose(v -> {
          Future<Written> appended = mailbox.append(recipient);
          placed.tryComplete();
          return appended;
        })
        .andThen(stored -> wake(recipient, stored.result()))
        .compose(stored -> sync == null ? Future.succeededFuture(stored.at())
            : mailbox.append(sync).andThen(copies -> wake(sync, copies.result())).map(stored.at()))
        .andThen(done -> {
          placed.tryComplete();
          if (done.succeeded()) {
            MESSAGES_SENT.increment();
          }
        })
        .map(at -> new ServerFrame.Sent(send.id(), at));
  }

  private void wake(Append append, Written written) {
    if (written != null) {
      ENVELOPES_STORED.increment(append.envelopes().size());
      router.wake(append.account(), written.devices(), written.routes(), written.wakes());
    }
  }
}
