package io.courier.limits;

import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.StoreFailures;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket per account in Redis ({@code limits_take.lua}), shared by every node, so an account's devices
 * together stay within one limit.
 *
 * <p>Redis key: {@code limit:{u:<account>}:<limit id>[:<scope>]} for a limit per account, or
 * {@code limit:{a:<address>}:<limit id>[:<scope>]} for one per client address ({@link RateLimit#subject()}), a hash
 * {@code {tokens, at}} that expires once a full bucket would have refilled. Each bucket is one key, in its
 * subject's own slot.
 *
 * <p>An exact limit ({@link RateLimit#leased()} false) runs the script for every {@link #take}. A leased limit
 * ({@link RateLimit#SEND}) keeps a lease per account instead: a few tokens taken from the bucket in one script
 * call, spent here without Redis until they run out or the lease is {@link #LEASE_LIFETIME} old; what is left
 * then is dropped, never given back. Takes that find the lease empty while a lease request is in flight wait for
 * that request rather than each sending their own. A lease holds {@link #leaseSize} tokens: 1 (exact) for a small
 * bucket, else at most {@link #MAX_LEASE}, an eighth of the burst, and what the bucket refills in one lifetime.
 *
 * <p>A refusal sticks: once the bucket refuses a key, this limiter refuses that key without asking Redis until the
 * refusal's wait has passed, with what is left of it. So a burst that meets an empty bucket is refused from its
 * first refused request on, never in a refused-then-granted pattern when a token arrives in the middle of it: a
 * client that resends refused sends in order then keeps its order (PROTOCOL §7, "Ordering").
 *
 * <p>Threading: an instance is confined to the context that uses it (GatewayVerticle makes its own per
 * instance, so one per event loop); its lease map is a plain {@link HashMap}. Every {@code take} must run on that
 * context, and the Redis client's futures complete there too.
 *
 * @implNote The Redis bucket is never overdrawn, whatever the number of nodes and event loops: every token spent
 * was taken from it. Leases only move tokens in time and lose some, so
 * <ul>
 *   <li>the long-run rate stays within {@code perSecond}, but over a short window an account may spend, on top of
 *       what the bucket alone allows, the tokens it held in unexpired leases when the window began (under one
 *       lease per event loop that holds one);</li>
 *   <li>it is otherwise stricter: a request may be refused while another event loop or node holds unspent tokens
 *       of the same account, and dropped tokens are lost (at most one lease per lifetime per holder, which is no
 *       more than the bucket refills meanwhile).</li>
 * </ul>
 * The lease map holds only accounts with tokens left or a request in flight: a lease is removed when its last
 * token is spent, and expired ones are swept at most once per lifetime, when a new lease is added; refusals whose
 * wait has passed are swept with them. When Redis is
 * unreachable the request fails with {@code UNAVAILABLE} rather than passing unlimited: the request it guards
 * needs Redis anyway.
 */
public final class RateLimiter {
  /** Most tokens one lease takes from the bucket. */
  static final int MAX_LEASE = 16;
  /** A lease is at most the burst divided by this, so a small bucket stays close to exact. */
  static final int BURSTS_PER_LEASE = 8;
  /** How long leased tokens may be spent; short, because what is left then is dropped. */
  static final Duration LEASE_LIFETIME = Duration.ofSeconds(1);

  private final TakeScript script;
  private final RateLimit limit;
  private final int leaseSize;
  private final LongSupplier nanoClock;
  /** Leases by Redis key; only when {@code leaseSize > 1}. */
  private final Map<String, Lease> leases = new HashMap<>();
  /** Keys the bucket refused, with the nano clock time until which they stay refused here. */
  private final Map<String, Long> refusedUntil = new HashMap<>();
  /** When (nano clock) expired leases and refusals are next swept out of {@link #leases} and {@link #refusedUntil}. */
  private long nextSweep;

  public RateLimiter(Redis redis, RateLimit limit, int capacity, double perSecond) {
    this(redis, limit, capacity, perSecond, System::nanoTime);
  }

  /** The same, with the clock that ages leases ({@link System#nanoTime} outside tests). */
  RateLimiter(Redis redis, RateLimit limit, int capacity, double perSecond, LongSupplier nanoClock) {
    this.script = new TakeScript(redis, capacity, perSecond);
    this.limit = limit;
    this.leaseSize = leaseSize(limit, capacity, perSecond);
    this.nanoClock = nanoClock;
    this.nextSweep = nanoClock.getAsLong();
  }

  /**
   * Tokens one lease asks for: 1 for an exact limit; else {@code max(1, min(MAX_LEASE, capacity / BURSTS_PER_LEASE,
   * tokens refilled in one LEASE_LIFETIME))}.
   */
  static int leaseSize(RateLimit limit, int capacity, double perSecond) {
    if (!limit.leased()) {
      return 1;
    }
    long refilled = (long) Math.floor(perSecond * LEASE_LIFETIME.toMillis() / 1000.0);
    return (int) Math.max(1, Math.min(Math.min(MAX_LEASE, capacity / BURSTS_PER_LEASE), refilled));
  }

  /**
   * Takes one token for {@code account} (for a limit per address: the client address), or fails with
   * {@code RATE_LIMITED} carrying the wait. Must run on this limiter's context (see the class comment).
   */
  public Future<Void> take(String account) {
    return take(account, null);
  }

  /** The same, for one {@code scope} of the account (e.g. the target of a bundle fetch); null for none. */
  public Future<Void> take(String account, String scope) {
    String key = key(account, scope);
    if (leaseSize == 1) {
      Future<Void> refused = stillRefused(key, nanoClock.getAsLong());
      return refused != null ? refused : script.run(key, 1).transform(granted -> firstToken(key, granted));
    }
    return takeLeased(key);
  }

  /** Tokens this limiter takes per script call (1 = exact). */
  int leaseSize() {
    return leaseSize;
  }

  /** Leases currently kept, for tests of the map's bound. */
  int leaseCount() {
    return leases.size();
  }

  private Future<Void> takeLeased(String key) {
    long now = nanoClock.getAsLong();
    Lease lease = leases.get(key);
    if (lease == null || lease.tokens == 0) {
      Future<Void> refused = stillRefused(key, now);
      if (refused != null) {
        return refused;
      }
    }
    if (lease == null) {
      sweepIfDue(now);
      lease = new Lease();
      leases.put(key, lease);
    }
    if (lease.tokens > 0 && now - lease.expiresAt < 0) {
      lease.tokens--;
      if (lease.tokens == 0 && lease.request == null) {
        leases.remove(key);
      }
      return Future.succeededFuture();
    }
    if (lease.request != null) {
      // A lease is on its way: wait for it, then try again (its tokens may all be gone by then).
      return lease.request.compose(v -> takeLeased(key));
    }
    return requestLease(key, lease, now);
  }

  private Future<Void> requestLease(String key, Lease lease, long requestedAt) {
    lease.tokens = 0;
    Future<Void> request = script.run(key, leaseSize)
        .transform(granted -> settle(key, lease, granted, requestedAt));
    // A client that fails at once (closed) completes the request before this line; settle has then run already.
    lease.request = request.isComplete() ? null : request;
    return request;
  }

  /** Keeps a new lease, the first token of which is the requesting take's. */
  private Future<Void> settle(String key, Lease lease, AsyncResult<TakeScript.Grant> granted, long requestedAt) {
    lease.request = null;
    if (granted.succeeded() && granted.result().tokens() > 1) {
      lease.tokens = granted.result().tokens() - 1;
      // From before the request: the lease never lasts longer than LEASE_LIFETIME after its tokens were taken.
      lease.expiresAt = requestedAt + LEASE_LIFETIME.toNanos();
    } else {
      leases.remove(key, lease);
    }
    return firstToken(key, granted);
  }

  private Future<Void> firstToken(String key, AsyncResult<TakeScript.Grant> granted) {
    if (granted.failed()) {
      return StoreFailures.unavailable(granted.cause());
    }
    TakeScript.Grant grant = granted.result();
    if (grant.tokens() > 0) {
      return Future.succeededFuture();
    }
    long now = nanoClock.getAsLong();
    sweepIfDue(now);
    refusedUntil.put(key, now + TimeUnit.MILLISECONDS.toNanos(grant.waitMillis()));
    return refusal(grant.waitMillis());
  }

  /** A refusal of {@code key} still running, with what is left of its wait; null when there is none. */
  private Future<Void> stillRefused(String key, long now) {
    Long until = refusedUntil.get(key);
    if (until == null) {
      return null;
    }
    long left = until - now;
    if (left <= 0) {
      refusedUntil.remove(key);
      return null;
    }
    return refusal(Math.max(1, (left + 999_999) / 1_000_000));
  }

  private Future<Void> refusal(long waitMillis) {
    return Future.failedFuture(new ProtocolException(ErrorCode.RATE_LIMITED, "too many " + limit.id() + " requests",
        waitMillis));
  }

  private void sweepIfDue(long now) {
    if (now - nextSweep >= 0) {
      leases.values().removeIf(lease -> lease.request == null && now - lease.expiresAt >= 0);
      refusedUntil.values().removeIf(until -> now - until >= 0);
      nextSweep = now + LEASE_LIFETIME.toNanos();
    }
  }

  /** The bucket's key; {@code subject} is an account id or a client address, as the limit counts. */
  private String key(String subject, String scope) {
    return "limit:{" + limit.subject().tag() + ":" + subject + "}:" + limit.id() + (scope == null ? "" : ":" + scope);
  }

  /** Tokens of one account taken from its bucket and not yet spent here. */
  private static final class Lease {
    /** Tokens left to spend; worthless once {@link #expiresAt} has passed. */
    int tokens;
    /** Nano clock time after which the tokens left are dropped. */
    long expiresAt;
    /** The lease request in flight (completing after this lease is updated), or null. */
    Future<Void> request;
  }
}
