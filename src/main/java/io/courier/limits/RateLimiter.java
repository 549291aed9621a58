package io.courier.limits;

import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.RedisScript;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.List;

/**
 * A token bucket per account in Redis ({@code limits_take.lua}), shared by every node, so an account's
 * devices together stay within one limit.
 *
 * @implNote When Redis is unreachable the request fails with {@code UNAVAILABLE} rather than passing
 * unlimited: the request it guards needs Redis anyway.
 */
public final class RateLimiter {
  private static final RedisScript SCRIPT = RedisScript.load("limits_take.lua");

  private final Redis redis;
  private final RateLimit limit;
  private final String capacity;
  private final String perSecond;

  public RateLimiter(Redis redis, RateLimit limit, int capacity, double perSecond) {
    this.redis = redis;
    this.limit = limit;
    this.capacity = Integer.toString(capacity);
    this.perSecond = Double.toString(perSecond);
  }

  /** Takes one token for {@code account}, or fails with {@code RATE_LIMITED} carrying the wait. */
  public Future<Void> take(String account) {
    return take(account, null);
  }

  /** The same, for one {@code scope} of the account (e.g. the target of a bundle fetch); null for none. */
  public Future<Void> take(String account, String scope) {
    return SCRIPT.run(redis, List.of(key(account, scope)), List.of(capacity, perSecond))
        .recover(StoreFailures::unavailable)
        .compose(wait -> wait.toLong() == 0
            ? Future.succeededFuture()
            : Future.failedFuture(new ProtocolException(ErrorCode.RATE_LIMITED, "too many " + limit.id()
                + " requests", wait.toLong())));
  }

  private String key(String account, String scope) {
    return "limit:{u:" + account + "}:" + limit.id() + (scope == null ? "" : ":" + scope);
  }
}
