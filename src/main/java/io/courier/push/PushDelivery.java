package io.courier.push;

import io.courier.mailbox.MailboxRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.redis.RedisScript;
import io.courier.routing.RoutingRedisKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles one due wake-up of one device: claims it in the device's slot ({@code push_claim.lua}: cancelled when the
 * device connected, has no target or an empty mailbox; deferred to the window's end when one was sent within it),
 * sends it through the {@link PushSender} of the target's kind, and records the outcome ({@code push_settle.lua}):
 * accepted (and a check at the window's end), retried later with backoff and jitter or the service's
 * {@code Retry-After}, the target removed ({@link PushOutcome.Gone}), or dropped ({@link PushOutcome.Failed}).
 */
final class PushDelivery {
  private static final Logger log = LoggerFactory.getLogger(PushDelivery.class);
  private static final RedisScript CLAIM = RedisScript.load("push_claim.lua");
  private static final RedisScript SETTLE = RedisScript.load("push_settle.lua");
  /** The first retry's wait; each further one doubles it, up to {@link #MAX_RETRY_WAIT}. */
  static final Duration FIRST_RETRY_WAIT = Duration.ofSeconds(1);
  /** The longest wait the workers' own backoff reaches. */
  static final Duration MAX_RETRY_WAIT = Duration.ofMinutes(5);
  /** The longest {@code Retry-After} honoured as given; a longer one waits this long. */
  static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);
  /** Temporary refusals before a wake-up is dropped (about half an hour of backoff). */
  static final int MAX_TRIES = 12;

  private final Redis redis;
  private final Map<String, PushSender> senders;
  private final PushTargets targets;
  private final PushQueue queue;
  private final String windowMs;
  private final String takeoverMs;
  private final String ttlMs;
  private final long sendTimeoutMs;
  private final Supplier<Collection<String>> liveNodes;

  PushDelivery(Redis redis, Map<String, PushSender> senders, PushTargets targets, Duration window, Duration takeover,
      Duration ttl, Supplier<Collection<String>> liveNodes) {
    this.redis = redis;
    this.senders = senders;
    this.targets = targets;
    this.queue = new PushQueue(redis);
    this.windowMs = Long.toString(window.toMillis());
    this.takeoverMs = Long.toString(takeover.toMillis());
    this.ttlMs = Long.toString(ttl.toMillis());
    // Settled well before another worker may take the entry over.
    this.sendTimeoutMs = takeover.toMillis() / 2;
    this.liveNodes = liveNodes;
  }

  /** Claims, sends and settles {@code device}'s due wake-up; completes once nothing about it is left to do here. */
  Future<Void> deliver(DeviceId device) {
    return CLAIM.run(redis, List.of(PushRedisKeys.schedule(device), PushRedisKeys.target(device),
            RoutingRedisKeys.routes(device.account()),
            MailboxRedisKeys.mailbox(device)),
            List.of(Integer.toString(device.device()), windowMs, takeoverMs, String.join(" ", liveNodes.get()), ttlMs))
        .compose(claim -> act(device, claim));
  }

  private Future<Void> act(DeviceId device, Response claim) {
    String verdict = claim.get(0).toString();
    switch (verdict) {
      case "defer":
        PushMetrics.DEFERRED.increment();
        return queue.later(device, claim.get(1).toLong());
      case "busy":
        // Claimed by another worker a moment ago (a duplicate entry, or a takeover a little early): look again
        // when that claim may be taken over, so a worker that died while sending it loses nothing.
        PushMetrics.cancelled(verdict);
        return queue.later(device, claim.get(1).toLong());
      case "send":
        return send(device, claim.get(1).toString(), claim.get(2).toInteger(),
            PushTargetFields.parse(PushTargetFields.fields(claim, 3)));
      default:
        PushMetrics.cancelled(verdict);
        return Future.succeededFuture();
    }
  }

  private Future<Void> send(DeviceId device, String claimedAt, int tries, PushTarget target) {
    PushSender sender = target == null ? null : senders.get(target.kind());
    if (sender == null) {
      PushMetrics.failed(target == null ? "unknown" : target.kind(), "no-sender");
      return settle(device, claimedAt, "drop", 0);
    }
    return sender.send(target)
        .timeout(sendTimeoutMs, TimeUnit.MILLISECONDS)
        .recover(e -> Future.succeededFuture(new PushOutcome.Retry(null,
            e instanceof TimeoutException ? "timeout" : "error")))
        .compose(outcome -> settle(device, claimedAt, tries, target, outcome));
  }

  private Future<Void> settle(DeviceId device, String claimedAt, int tries, PushTarget target, PushOutcome outcome) {
    String kind = target.kind();
    if (outcome instanceof PushOutcome.Accepted) {
      PushMetrics.sent(kind);
      return settle(device, claimedAt, "sent", 0);
    }
    if (outcome instanceof PushOutcome.Retry retry) {
      if (tries + 1 >= MAX_TRIES) {
        PushMetrics.failed(kind, "retries");
        return settle(device, claimedAt, "drop", 0);
      }
      PushMetrics.retried(kind, retry.reason());
      return settle(device, claimedAt, "retry", wait(tries, retry.after()));
    }
    if (outcome instanceof PushOutcome.Gone gone) {
      PushMetrics.targetRemoved(kind, gone.reason());
      log.atInfo().addKeyValue("account", device.account()).addKeyValue("device", device.device())
          .addKeyValue("kind", kind).addKeyValue("reason", gone.reason()).log("push target refused for good: removed");
      return targets.removeIfStill(device, target).compose(v -> settle(device, claimedAt, "drop", 0));
    }
    PushOutcome.Failed failed = (PushOutcome.Failed) outcome;
    PushMetrics.failed(kind, failed.reason());
    return settle(device, claimedAt, "drop", 0);
  }

  private Future<Void> settle(DeviceId device, String claimedAt, String outcome, long waitMs) {
    return SETTLE.run(redis, List.of(PushRedisKeys.schedule(device)),
            List.of(outcome, claimedAt, windowMs, Long.toString(waitMs), ttlMs))
        .compose(reply -> "later".equals(reply.get(0).toString())
            ? queue.later(device, reply.get(1).toLong())
            : Future.succeededFuture());
  }

  /**
   * The wait before try {@code tries + 1}: the service's {@code Retry-After} (capped, plus up to a tenth so a crowd
   * that got the same one does not come back at once), else exponential backoff with jitter (half to all of it).
   */
  static long wait(int tries, Duration retryAfter) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (retryAfter != null) {
      long after = Math.min(retryAfter.toMillis(), MAX_RETRY_AFTER.toMillis());
      return after + random.nextLong(after / 10 + 1);
    }
    long backoff = Math.min(FIRST_RETRY_WAIT.toMillis() << Math.min(tries, 20), MAX_RETRY_WAIT.toMillis());
    return backoff / 2 + random.nextLong(backoff / 2 + 1);
  }
}
