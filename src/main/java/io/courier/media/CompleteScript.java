package io.courier.media;

import io.courier.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.List;

/** Wrapper of {@code media_complete.lua}; the script's header documents its key and argument. */
final class CompleteScript {
  private static final RedisScript SCRIPT = RedisScript.load("media_complete.lua");

  private final Redis redis;

  CompleteScript(Redis redis) {
    this.redis = redis;
  }

  /** The attachment's version once this call is done: {@code version}, or an earlier claim's; null if expired. */
  Future<String> run(String id, String version) {
    return SCRIPT.run(redis, List.of(AttachmentService.key(id)), List.of(version))
        .map(reply -> reply == null ? null : reply.toString());
  }
}
