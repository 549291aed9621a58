package io.courier.push;

import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one hash format of a target ({@code pushtarget:{u:A}:D}): {@code kind} and the kind's fields, {@code sandbox}
 * as {@code 1}/{@code 0}. {@link #of} writes it (for {@link PushRegistrations}), {@link #parse} reads it back, from
 * {@code HGETALL} or a push script's reply.
 */
final class PushTargetFields {
  private PushTargetFields() {}

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

  /** The target's fields, {@code kind} first, as field-value pairs for {@code HSET}. */
  static List<String> of(PushTarget target) {
    List<String> fields = new ArrayList<>(List.of("kind", target.kind()));
    if (target instanceof PushTarget.Apns a) {
      fields.addAll(List.of("token", a.token(), "topic", a.topic(), "sandbox", a.sandbox() ? "1" : "0"));
    } else if (target instanceof PushTarget.Fcm f) {
      fields.addAll(List.of("token", f.token()));
    } else if (target instanceof PushTarget.WebPush w) {
      fields.addAll(List.of("endpoint", w.endpoint(), "p256dh", w.p256dh(), "auth", w.auth()));
    }
    return fields;
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
      case "apns" -> new PushTarget.Apns(f.get("token"), f.get("topic"), "1".equals(f.get("sandbox")));
      case "fcm" -> new PushTarget.Fcm(f.get("token"));
      case "webpush" -> new PushTarget.WebPush(f.get("endpoint"), f.get("p256dh"), f.get("auth"));
      default -> null;
    };
  }
}
