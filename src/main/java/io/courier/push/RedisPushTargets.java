package io.courier.push;

import io.courier.protocol.DeviceId;
import io.courier.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link PushTargets} on the keys of {@link PushRedisKeys}: {@code pushtarget:{u:A}:D} (hash: {@code kind} and the
 * kind's fields) and {@code pushtoken:{p:<digest>}} (string: {@code A:D}).
 *
 * @implNote The registration API owns these keys; this reads them as {@link PushRedisKeys} documents them. The token
 * digest is the hex SHA-256 of {@code <kind>:<token or endpoint>}.
 */
public final class RedisPushTargets implements PushTargets {
  private static final RedisScript REMOVE = RedisScript.load("push_remove.lua");
  private static final RedisScript UNTOKEN = RedisScript.load("push_untoken.lua");

  private final Redis redis;

  public RedisPushTargets(Redis redis) {
    this.redis = redis;
  }

  @Override
  public Future<Optional<PushTarget>> find(DeviceId device) {
    return redis.send(Request.cmd(Command.HGETALL).arg(PushRedisKeys.target(device)))
        .map(reply -> Optional.ofNullable(parse(fields(reply, 0))));
  }

  @Override
  public Future<Void> removeIfStill(DeviceId device, PushTarget target) {
    String field = target instanceof PushTarget.WebPush ? "endpoint" : "token";
    String address = address(target);
    return REMOVE.run(redis, List.of(PushRedisKeys.target(device)), List.of(target.kind(), field, address))
        .compose(removed -> UNTOKEN.run(redis, List.of(PushRedisKeys.tokenOwner(digest(target.kind(), address))),
            List.of(device.account() + ":" + device.device())))
        .mapEmpty();
  }

  /** The target's address at its push service: the token, or the Web Push endpoint. */
  static String address(PushTarget target) {
    if (target instanceof PushTarget.Apns apns) {
      return apns.token();
    }
    if (target instanceof PushTarget.Fcm fcm) {
      return fcm.token();
    }
    return ((PushTarget.WebPush) target).endpoint();
  }

  /** Field-value pairs of {@code reply} from index {@code from} on (a flat array, or a RESP3 map). */
  static Map<String, String> fields(Response reply, int from) {
    Map<String, String> fields = new HashMap<>();
    if (reply == null) {
      return fields;
    }
    if (reply.isMap()) {
      reply.getKeys().forEach(key -> fields.put(key, reply.get(key).toString()));
      return fields;
    }
    for (int i = from; i + 1 < reply.size(); i += 2) {
      fields.put(reply.get(i).toString(), reply.get(i + 1).toString());
    }
    return fields;
  }

  /** The target the hash fields describe; null when there is none or its kind is unknown. */
  static PushTarget parse(Map<String, String> f) {
    String kind = f.get("kind");
    if (kind == null) {
      return null;
    }
    return switch (kind) {
      case "apns" -> new PushTarget.Apns(f.get("token"), f.get("topic"), "true".equals(f.get("sandbox")));
      case "fcm" -> new PushTarget.Fcm(f.get("token"));
      case "webpush" -> new PushTarget.WebPush(f.get("endpoint"), f.get("p256dh"), f.get("auth"));
      default -> null;
    };
  }

  private static String digest(String kind, String address) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest((kind + ":" + address).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
