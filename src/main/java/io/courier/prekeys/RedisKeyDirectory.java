package io.courier.prekeys;

import io.courier.auth.AccountRedisKeys;
import io.courier.prekeys.PreKeys.Bundle;
import io.courier.prekeys.PreKeys.Counts;
import io.courier.prekeys.PreKeys.DeviceKeys;
import io.courier.prekeys.PreKeys.PreKey;
import io.courier.prekeys.PreKeys.PreKeyBatch;
import io.courier.prekeys.PreKeys.SignedPreKey;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.RedisScript;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link KeyDirectory} in Redis (keys in {@link PreKeysRedisKeys}), one Lua script per change so every step is
 * atomic: {@code prekeys_store.lua}, {@code prekeys_add.lua}, {@code prekeys_take.lua}.
 *
 * @implNote {@code take} pops one-time keys inside one script, so concurrent fetches never get the same key; a
 * fetch that finds none left hands out the last-resort Kyber key and no EC one-time key, as PQXDH allows.
 */
public final class RedisKeyDirectory implements KeyDirectory {
  /** Most one-time keys of each kind stored for one device. */
  public static final int MAX_STORED_PER_DEVICE = 1_000;
  private static final RedisScript STORE = RedisScript.load("prekeys_store.lua");
  private static final RedisScript ADD = RedisScript.load("prekeys_add.lua");
  private static final RedisScript TAKE = RedisScript.load("prekeys_take.lua");
  /** Fields of one device in {@code prekeys_take.lua}'s reply. */
  private static final int BUNDLE_FIELDS = 6;

  private final Redis redis;

  public RedisKeyDirectory(Redis redis) {
    this.redis = redis;
  }

  @Override
  public Future<Void> store(DeviceId device, DeviceKeys keys) {
    List<String> args = new ArrayList<>(List.of(Integer.toString(device.device()), keys.identityKey(),
        Integer.toString(keys.registrationId()), PreKeyJson.write(keys.signedPreKey()),
        PreKeyJson.write(keys.lastResortKyberPreKey()), Integer.toString(MAX_STORED_PER_DEVICE)));
    addOneTimeKeys(args, keys.preKeys(), keys.kyberPreKeys());
    return STORE.run(redis, List.of(AccountRedisKeys.devices(device.account()), PreKeysRedisKeys.deviceKeys(device),
            PreKeysRedisKeys.registrationIds(device.account()), PreKeysRedisKeys.oneTimePreKeys(device),
            PreKeysRedisKeys.kyberPreKeys(device)), args)
        .compose(result -> outcome(result, ErrorCode.UNKNOWN_DEVICE, "the device no longer exists"))
        .recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Void> add(DeviceId device, PreKeyBatch batch) {
    List<String> args = new ArrayList<>(List.of(
        batch.signedPreKey() == null ? "" : PreKeyJson.write(batch.signedPreKey()),
        Integer.toString(MAX_STORED_PER_DEVICE)));
    addOneTimeKeys(args, batch.preKeys(), batch.kyberPreKeys());
    return ADD.run(redis, List.of(PreKeysRedisKeys.deviceKeys(device), PreKeysRedisKeys.oneTimePreKeys(device),
            PreKeysRedisKeys.kyberPreKeys(device)), args)
        .compose(result -> outcome(result, ErrorCode.NO_KEYS, "set the device's identity first (PUT /v1/keys)"))
        .recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Counts> count(DeviceId device) {
    return redis.batch(List.of(Request.cmd(Command.LLEN).arg(PreKeysRedisKeys.oneTimePreKeys(device)),
            Request.cmd(Command.LLEN).arg(PreKeysRedisKeys.kyberPreKeys(device))))
        .map(replies -> new Counts(replies.get(0).toLong(), replies.get(1).toLong()))
        .recover(StoreFailures::unavailable);
  }

  @Override
  public Future<List<Bundle>> take(String account, int device) {
    return TAKE.run(redis,
            List.of(AccountRedisKeys.account(account), AccountRedisKeys.devices(account),
                PreKeysRedisKeys.registrationIds(account)),
            List.of(PreKeysRedisKeys.deviceKeysPrefix(account), PreKeysRedisKeys.oneTimePreKeysPrefix(account),
                PreKeysRedisKeys.kyberPreKeysPrefix(account), device == 0 ? "" : Integer.toString(device)))
        .map(reply -> bundles(reply, account))
        .recover(StoreFailures::unavailable);
  }

  @Override
  public Future<Void> delete(DeviceId device) {
    return redis.batch(List.of(
            Request.cmd(Command.DEL).arg(PreKeysRedisKeys.deviceKeys(device))
                .arg(PreKeysRedisKeys.oneTimePreKeys(device)).arg(PreKeysRedisKeys.kyberPreKeys(device)),
            Request.cmd(Command.HDEL).arg(PreKeysRedisKeys.registrationIds(device.account())).arg(device.device())))
        .<Void>mapEmpty()
        .recover(StoreFailures::unavailable);
  }

  private static void addOneTimeKeys(List<String> args, List<PreKey> preKeys, List<SignedPreKey> kyberPreKeys) {
    args.add(Integer.toString(preKeys.size()));
    preKeys.forEach(k -> args.add(PreKeyJson.write(k)));
    kyberPreKeys.forEach(k -> args.add(PreKeyJson.write(k)));
  }

  private static Future<Void> outcome(Response result, ErrorCode whenMinusOne, String message) {
    return switch (result.toInteger()) {
      case 1 -> Future.succeededFuture();
      case -1 -> Future.failedFuture(new ProtocolException(whenMinusOne, message));
      default -> Future.failedFuture(new ProtocolException(ErrorCode.TOO_MANY_PREKEYS, "a device stores at most "
          + MAX_STORED_PER_DEVICE + " one-time keys of each kind"));
    };
  }

  private static List<Bundle> bundles(Response reply, String account) {
    switch (reply.get(0).toString()) {
      case "NO_ACCOUNT":
        throw new ProtocolException(ErrorCode.UNKNOWN_ACCOUNT, "no account '" + account + "'");
      case "NO_DEVICE":
        throw new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "'" + account + "' has no such device");
      case "NO_KEYS":
        throw new ProtocolException(ErrorCode.NO_KEYS, "'" + account + "' has not uploaded keys for this device");
      default:
        break;
    }
    List<Bundle> bundles = new ArrayList<>();
    for (int i = 1; i + BUNDLE_FIELDS - 1 < reply.size(); i += BUNDLE_FIELDS) {
      String preKey = reply.get(i + 4).toString();
      bundles.add(new Bundle(reply.get(i).toInteger(), reply.get(i + 2).toInteger(), reply.get(i + 1).toString(),
          PreKeyJson.read(reply.get(i + 3).toString(), SignedPreKey.class),
          preKey.isEmpty() ? null : PreKeyJson.read(preKey, PreKey.class),
          PreKeyJson.read(reply.get(i + 5).toString(), SignedPreKey.class)));
    }
    return bundles;
  }
}
