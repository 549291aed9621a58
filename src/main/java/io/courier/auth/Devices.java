package io.courier.auth;

import io.courier.config.CourierConfig.DevicesConfig;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.RedisScript;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * An account's devices in Redis ({@code devices:{u:A}}, see {@link AccountRedisKeys}): create (capped at
 * {@code devices.maxPerAccount}), list, remove, and the one-time link codes that add a device from an existing
 * one ({@code link:{c:CODE}}: a string holding the account and the opaque provisioning blob, expiring after
 * {@code devices.linkCodeTtl}, deleted when used).
 *
 * @implNote A link code is taken (GETDEL) before the device is created, in another Redis slot: a link refused
 * for {@code TOO_MANY_DEVICES} has used up its code.
 */
public final class Devices {
  /** Crockford base32: no I, L, O, U, so a typed code is hard to get wrong. */
  private static final String CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  /** 12 characters of 5 bits: 60 random bits, shown as three groups of four. */
  private static final int CODE_CHARS = 12;
  private static final RedisScript CREATE = RedisScript.load("auth_create_device.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Redis redis;
  private final DevicesConfig config;

  public Devices(Redis redis, DevicesConfig config) {
    this.redis = redis;
    this.config = config;
  }

  /**
   * One device of an account as {@code GET /v1/devices} lists it.
   *
   * @param device  its number
   * @param name    the name given at log-in or link
   * @param created creation time, ms
   * @param keys    whether it has uploaded its identity
   */
  public record DeviceInfo(int device, String name, long created, boolean keys) {}

  /** A redeemed link code: the new device and the provisioning blob (null when none was given). */
  public record Linked(DeviceId device, String provisioning) {}

  /** The next device of {@code account}, or {@code TOO_MANY_DEVICES}. */
  public Future<DeviceId> create(String account, String name) {
    String record = new JsonObject().put("name", name).put("created", System.currentTimeMillis()).encode();
    return CREATE.run(redis, List.of(AccountRedisKeys.account(account), AccountRedisKeys.devices(account)),
            List.of(Integer.toString(config.maxPerAccount()), record))
        .compose(number -> number.toInteger() > 0
            ? Future.succeededFuture(new DeviceId(account, number.toInteger()))
            : Future.failedFuture(new ProtocolException(ErrorCode.TOO_MANY_DEVICES, "an account has at most "
                + config.maxPerAccount() + " devices; unlink one first")))
        .recover(StoreFailures::unavailable);
  }

  /** The account's devices, by number; {@code withKeys} are the device numbers that have uploaded keys. */
  public Future<List<DeviceInfo>> list(String account, String registrationIdsKey) {
    return redis.batch(List.of(Request.cmd(Command.HGETALL).arg(AccountRedisKeys.devices(account)),
            Request.cmd(Command.HKEYS).arg(registrationIdsKey)))
        .map(replies -> devices(replies.get(0), keysOf(replies.get(1))))
        .recover(StoreFailures::unavailable);
  }

  /** Removes the device and its refresh token; {@code UNKNOWN_DEVICE} when it did not exist. */
  public Future<Void> remove(DeviceId device) {
    return redis.batch(List.of(
            Request.cmd(Command.HDEL).arg(AccountRedisKeys.devices(device.account())).arg(device.device()),
            Request.cmd(Command.DEL).arg(AccountRedisKeys.refreshToken(device.account(), device.device()))))
        .compose(replies -> replies.get(0).toInteger() == 1
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(new ProtocolException(ErrorCode.UNKNOWN_DEVICE, "no device " + device.device())))
        .recover(StoreFailures::unavailable);
  }

  /** A new one-time code that links a device to {@code account}, carrying {@code provisioning} (may be null). */
  public Future<String> createLinkCode(String account, String provisioning) {
    String code = newCode();
    JsonObject value = new JsonObject().put("account", account).put("provisioning", provisioning);
    return redis.send(Request.cmd(Command.SET).arg(AccountRedisKeys.linkCode(code)).arg(value.encode())
            .arg("EX").arg(config.linkCodeTtl().toSeconds()))
        .map(ok -> display(code))
        .recover(StoreFailures::unavailable);
  }

  /** Uses up {@code typed} and creates the new device; {@code LINK_CODE_INVALID} when the code is not valid. */
  public Future<Linked> link(String typed, String deviceName) {
    String code = normalize(typed);
    if (code.length() != CODE_CHARS) {
      return Future.failedFuture(invalidCode());
    }
    return redis.send(Request.cmd(Command.GETDEL).arg(AccountRedisKeys.linkCode(code)))
        .recover(StoreFailures::unavailable)
        .compose(value -> value == null ? Future.failedFuture(invalidCode()) : Future.succeededFuture(
            new JsonObject(value.toString())))
        .compose(value -> create(value.getString("account"), deviceName)
            .map(device -> new Linked(device, value.getString("provisioning"))));
  }

  private static List<DeviceInfo> devices(Response all, Set<String> withKeys) {
    TreeMap<Integer, DeviceInfo> byNumber = new TreeMap<>();
    for (String field : all.getKeys()) {
      JsonObject record = new JsonObject(all.get(field).toString());
      int number = Integer.parseInt(field);
      byNumber.put(number, new DeviceInfo(number, record.getString("name", ""), record.getLong("created", 0L),
          withKeys.contains(field)));
    }
    return new ArrayList<>(byNumber.values());
  }

  private static Set<String> keysOf(Response list) {
    Set<String> keys = new java.util.HashSet<>();
    list.forEach(r -> keys.add(r.toString()));
    return keys;
  }

  private static String newCode() {
    StringBuilder code = new StringBuilder(CODE_CHARS);
    long bits = RANDOM.nextLong();
    for (int i = 0; i < CODE_CHARS; i++) {
      code.append(CODE_ALPHABET.charAt((int) (bits & 31)));
      bits >>>= 5;
    }
    return code.toString();
  }

  private static String display(String code) {
    return code.substring(0, 4) + "-" + code.substring(4, 8) + "-" + code.substring(8);
  }

  /** Upper case, without separators; O and I/L read as 0 and 1, as Crockford base32 allows. */
  static String normalize(String typed) {
    return typed.toUpperCase().replaceAll("[\\s-]", "").replace('O', '0').replace('I', '1').replace('L', '1');
  }

  private static ProtocolException invalidCode() {
    return new ProtocolException(ErrorCode.LINK_CODE_INVALID, "the link code is unknown, used or expired");
  }
}
