package io.courier.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Key uploads of the right shapes and sizes for server tests. The server checks sizes, not signatures, so
 * random bytes stand in for real keys here; the libsignal client tests use real ones.
 */
public final class TestKeys {
  private static final SecureRandom RANDOM = new SecureRandom();

  private TestKeys() {}

  public static String ecKey() {
    byte[] key = new byte[33];
    RANDOM.nextBytes(key);
    key[0] = 0x05;
    return Base64.getEncoder().encodeToString(key);
  }

  public static String kyberKey() {
    byte[] key = new byte[1_569];
    RANDOM.nextBytes(key);
    key[0] = 0x08;
    return Base64.getEncoder().encodeToString(key);
  }

  public static String signature() {
    byte[] signature = new byte[64];
    RANDOM.nextBytes(signature);
    return Base64.getEncoder().encodeToString(signature);
  }

  public static JsonObject signed(int id, String key) {
    return new JsonObject().put("id", id).put("publicKey", key).put("signature", signature());
  }

  /** One-time EC pre-keys with ids {@code first} .. {@code first + count - 1}. */
  public static JsonArray preKeys(int first, int count) {
    JsonArray keys = new JsonArray();
    for (int id = first; id < first + count; id++) {
      keys.add(new JsonObject().put("id", id).put("publicKey", ecKey()));
    }
    return keys;
  }

  public static JsonArray kyberPreKeys(int first, int count) {
    JsonArray keys = new JsonArray();
    for (int id = first; id < first + count; id++) {
      keys.add(signed(id, kyberKey()));
    }
    return keys;
  }

  /** A {@code PUT /v1/keys} body with {@code oneTime} keys of each kind. */
  public static JsonObject identity(int registrationId, int oneTime) {
    return new JsonObject().put("identityKey", ecKey()).put("registrationId", registrationId)
        .put("signedPreKey", signed(1, ecKey()))
        .put("lastResortKyberPreKey", signed(1_000_000, kyberKey()))
        .put("preKeys", preKeys(1, oneTime))
        .put("kyberPreKeys", kyberPreKeys(1, oneTime));
  }
}
