package io.courier.push;

import io.courier.protocol.DeviceId;
import io.courier.redis.RedisScript;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Each device's push target (docs/PROTOCOL.md §1 "Push"), in the keys of {@link PushRedisKeys}:
 * {@code pushtarget:{u:A}:D} holds the target's fields plus {@code digest} (the hex SHA-256 of its kind and token
 * or endpoint) and {@code at}; {@code pushtoken:{p:<digest>}} names the device ({@code A:D}) holding that token.
 *
 * <p>Registering: (1) the token index is set to this device, giving the device that held it before; (2) the
 * device's target is replaced ({@code push_target_replace.lua}), giving the digest it had; then, independently,
 * (3) the previous holder's target is removed if it is still this token ({@code push_target_release.lua}) and
 * (4) the device's old token is forgotten if it still names this device ({@code push_owner_release.lua}).
 * Removing is (2) with no new target, then (4).
 *
 * @implNote The target and the token index live in different slots, so a registration is four steps, not one
 * transaction. Each later step only removes what still is what it saw (compare and delete), so a failure
 * between steps leaves at worst an index entry naming a device that no longer holds the token (removed by the
 * next registration of that token) and never a target taken from a device that registered it again meanwhile.
 * Two devices registering one token at the same moment may both keep it until one registers again.
 */
public final class PushRegistrations implements PushTargets {
  private static final RedisScript REPLACE = RedisScript.load("push_target_replace.lua");
  private static final RedisScript RELEASE_TARGET = RedisScript.load("push_target_release.lua");
  private static final RedisScript RELEASE_OWNER = RedisScript.load("push_owner_release.lua");

  private final Redis redis;

  public PushRegistrations(Redis redis) {
    this.redis = redis;
  }

  /** Makes {@code target} the device's target, replacing its last, and takes the token from any other device. */
  public Future<Void> register(DeviceId device, PushTarget target) {
    String digest = digest(target);
    String owner = PushRedisKeys.tokenOwner(digest);
    return redis.send(Request.cmd(Command.SET).arg(owner).arg(holder(device)).arg("GET"))
        .compose(previous -> REPLACE.run(redis, List.of(PushRedisKeys.target(device)), replaceArgs(digest, target))
            .compose(old -> Future.all(takeFrom(previous, device, digest), forget(old, digest, device))))
        .<Void>mapEmpty()
        .recover(StoreFailures::unavailable);
  }

  /** Removes the device's target and its token index; nothing when it has none. */
  public Future<Void> remove(DeviceId device) {
    return REPLACE.run(redis, List.of(PushRedisKeys.target(device)), List.of(""))
        .compose(old -> forget(old, "", device))
        .<Void>mapEmpty()
        .recover(StoreFailures::unavailable);
  }

  /**
   * Removes the device's target only if it is still {@code target} (a push service said the token is gone, and
   * the device may have registered a new one meanwhile). Whether it was removed.
   */
  @Override
  public Future<Boolean> removeIfStill(DeviceId device, PushTarget target) {
    String digest = digest(target);
    return RELEASE_TARGET.run(redis, List.of(PushRedisKeys.target(device)), List.of(digest))
        .compose(removed -> removed.toInteger() == 1
            ? RELEASE_OWNER.run(redis, List.of(PushRedisKeys.tokenOwner(digest)), List.of(holder(device)))
                .map(true)
            : Future.succeededFuture(false))
        .recover(StoreFailures::unavailable);
  }

  /** The device's target, if it has one. */
  public Future<Optional<PushTarget>> find(DeviceId device) {
    return redis.send(Request.cmd(Command.HGETALL).arg(PushRedisKeys.target(device)))
        .map(hash -> Optional.ofNullable(PushTargetFields.parse(PushTargetFields.fields(hash, 0))))
        .recover(StoreFailures::unavailable);
  }

  /** Hex SHA-256 of the target's kind and token (or endpoint): the name of its {@code pushtoken} key. */
  public static String digest(PushTarget target) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest((target.kind() + "\n" + PushTargetFields.address(target)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Step 3: the token's previous holder, if another device, loses its target if it is still this token. */
  private Future<?> takeFrom(Response previous, DeviceId device, String digest) {
    if (previous == null || previous.toString().equals(holder(device))) {
      return Future.succeededFuture();
    }
    DeviceId other = deviceOf(previous.toString());
    return other == null ? Future.succeededFuture()
        : RELEASE_TARGET.run(redis, List.of(PushRedisKeys.target(other)), List.of(digest));
  }

  /** Step 4: the device's replaced token, if not the new one, stops naming the device. */
  private Future<?> forget(Response old, String digest, DeviceId device) {
    if (old == null || old.toString().equals(digest)) {
      return Future.succeededFuture();
    }
    return RELEASE_OWNER.run(redis, List.of(PushRedisKeys.tokenOwner(old.toString())), List.of(holder(device)));
  }

  private static List<String> replaceArgs(String digest, PushTarget target) {
    List<String> args = new ArrayList<>(List.of(digest));
    args.addAll(PushTargetFields.of(target));
    args.addAll(List.of("at", Long.toString(System.currentTimeMillis())));
    return args;
  }

  /** The value of a {@code pushtoken} key: {@code A:D}. */
  static String holder(DeviceId device) {
    return device.account() + ":" + device.device();
  }

  private static DeviceId deviceOf(String holder) {
    int colon = holder.lastIndexOf(':');
    try {
      return colon <= 0 ? null : new DeviceId(holder.substring(0, colon),
          Integer.parseInt(holder.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
