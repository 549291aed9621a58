package io.courier.limits;

import io.courier.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.List;

/** Wrapper of {@code limits_take.lua}, for one bucket shape; the script's header documents its key and arguments. */
final class TakeScript {
  private static final RedisScript SCRIPT = RedisScript.load("limits_take.lua");

  /**
   * One answer of the script.
   *
   * @param tokens     tokens taken from the bucket: from 0 up to the number asked for
   * @param waitMillis 0 when {@code tokens > 0}; else how long until one token will be there
   */
  record Grant(int tokens, long waitMillis) {}

  private final Redis redis;
  private final String capacity;
  private final String perSecond;

  TakeScript(Redis redis, int capacity, double perSecond) {
    this.redis = redis;
    this.capacity = Integer.toString(capacity);
    this.perSecond = Double.toString(perSecond);
  }

  /** Takes up to {@code wanted} (at least 1) tokens from the bucket at {@code key}. */
  Future<Grant> run(String key, int wanted) {
    if (wanted < 1) {
      throw new IllegalArgumentException("wanted must be at least 1: " + wanted);
    }
    return SCRIPT.run(redis, List.of(key), List.of(capacity, perSecond, Integer.toString(wanted)))
        .map(reply -> new Grant(reply.get(0).toInteger(), reply.get(1).toLong()));
  }
}
