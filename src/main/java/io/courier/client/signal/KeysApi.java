package io.courier.client.signal;

import io.courier.client.CourierException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.kem.KEMPublicKey;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;

/**
 * The key directory (PROTOCOL.md §1 "Keys"): uploads this Device's PreKeys, counts what is left, and fetches
 * PreKey bundles of other Devices. Every JSON field name of those endpoints is spelled here.
 *
 * <p>Uploads are split into several requests when needed: the server refuses bodies above 64 KiB, and a Kyber-1024
 * PreKey takes about 2.2 KB of JSON, so 100 of them need four requests. The first request of
 * {@link #putKeys} is the {@code PUT} (identity, registration id, signed PreKey, last-resort Kyber PreKey and as
 * many one-time keys as fit); the rest go with {@code POST /v1/keys/prekeys}, one after the other.
 *
 * @implNote Bundles are parsed but not verified here: libsignal checks the signatures when a session is built from
 *     them. Fails with the server's {@link io.courier.client.CourierException}; a bundle that cannot be parsed fails
 *     with {@code INVALID_KEY} (code of the client, status 0).
 */
public final class KeysApi {

  /** Requests are kept below this many bytes (the server's limit is 64 KiB). */
  static final int MAX_BODY_BYTES = 60_000;

  /** The most one-time keys of each kind in one request ({@code limits.maxPreKeysPerUpload}, default 100). */
  static final int MAX_PREKEYS_PER_UPLOAD = 100;

  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final BearerWeb web;

  KeysApi(BearerWeb web) {
    this.web = web;
  }

  /** One-time keys this Device has left in the directory ({@code GET /v1/keys/count}). */
  public record PreKeyCount(int preKeys, int kyberPreKeys) {
  }

  /**
   * {@code PUT /v1/keys} (then {@code POST /v1/keys/prekeys} for what did not fit): sets this Device's identity,
   * registration id, signed PreKey and last-resort Kyber PreKey, and adds the one-time keys.
   */
  public Future<Void> putKeys(IdentityKey identity, int registrationId, SignedPreKeyRecord signedPreKey,
      KyberPreKeyRecord lastResort, List<PreKeyRecord> preKeys, List<KyberPreKeyRecord> kyberPreKeys) {
    JsonObject first = new JsonObject()
        .put("identityKey", B64.encodeToString(identity.serialize()))
        .put("registrationId", registrationId)
        .put("signedPreKey", signedPreKeyJson(signedPreKey))
        .put("lastResortKyberPreKey", kyberPreKeyJson(lastResort));
    List<JsonObject> bodies = split(first, preKeys, kyberPreKeys);
    return web.call(HttpMethod.PUT, "/v1/keys", bodies.get(0), 204)
        .compose(ignored -> postAll(bodies, 1));
  }

  /** {@code POST /v1/keys/prekeys}, split as needed: adds one-time keys. */
  public Future<Void> addPreKeys(List<PreKeyRecord> preKeys, List<KyberPreKeyRecord> kyberPreKeys) {
    return postAll(split(new JsonObject(), preKeys, kyberPreKeys), 0);
  }

  /** {@code GET /v1/keys/count}. */
  public Future<PreKeyCount> count() {
    return web.call(HttpMethod.GET, "/v1/keys/count", null, 200)
        .map(response -> response.bodyAsJsonObject())
        .map(body -> new PreKeyCount(body.getInteger("preKeys"), body.getInteger("kyberPreKeys")));
  }

  /** {@code GET /v1/keys/{account}}: a bundle for every Device of the Account that has keys (takes one-time keys). */
  public Future<List<PreKeyBundle>> bundles(String account) {
    FileSignalStore.requireAccountId(account);
    return web.call(HttpMethod.GET, "/v1/keys/" + account, null, 200)
        .compose(response -> parseBundles(response.bodyAsJsonObject()));
  }

  /** {@code GET /v1/keys/{account}/{device}}: the bundle of one Device (takes one-time keys). */
  public Future<PreKeyBundle> bundle(String account, int device) {
    FileSignalStore.requireAccountId(account);
    return web.call(HttpMethod.GET, "/v1/keys/" + account + "/" + device, null, 200)
        .compose(response -> parseBundles(response.bodyAsJsonObject()))
        .compose(bundles -> onlyBundle(bundles, device));
  }

  // ---------------------------------------------------------------- request bodies

  private Future<Void> postAll(List<JsonObject> bodies, int from) {
    if (from >= bodies.size()) {
      return Future.succeededFuture();
    }
    return web.call(HttpMethod.POST, "/v1/keys/prekeys", bodies.get(from), 204)
        .compose(ignored -> postAll(bodies, from + 1));
  }

  /**
   * Spreads the one-time keys over request bodies: the first is {@code first} plus what fits, each further one holds
   * only one-time keys. Bodies stay below {@link #MAX_BODY_BYTES} and {@link #MAX_PREKEYS_PER_UPLOAD} keys per kind.
   */
  static List<JsonObject> split(JsonObject first, List<PreKeyRecord> preKeys, List<KyberPreKeyRecord> kyberPreKeys) {
    List<JsonObject> bodies = new ArrayList<>();
    JsonObject body = first;
    int bytes = size(first);
    JsonArray ec = new JsonArray();
    JsonArray kyber = new JsonArray();
    List<JsonObject> entries = new ArrayList<>();
    preKeys.forEach(record -> entries.add(preKeyJson(record)));
    int ecCount = entries.size();
    kyberPreKeys.forEach(record -> entries.add(kyberPreKeyJson(record)));
    for (int i = 0; i < entries.size(); i++) {
      JsonObject entry = entries.get(i);
      boolean isEc = i < ecCount;
      int entryBytes = size(entry) + 1;
      JsonArray target = isEc ? ec : kyber;
      if (bytes + entryBytes + 40 > MAX_BODY_BYTES || target.size() >= MAX_PREKEYS_PER_UPLOAD) {
        bodies.add(withKeys(body, ec, kyber));
        body = new JsonObject();
        bytes = 2;
        ec = new JsonArray();
        kyber = new JsonArray();
        target = isEc ? ec : kyber;
      }
      target.add(entry);
      bytes += entryBytes;
    }
    bodies.add(withKeys(body, ec, kyber));
    if (bodies.size() > 1 && bodies.get(bodies.size() - 1).isEmpty()) {
      bodies.remove(bodies.size() - 1);
    }
    return bodies;
  }

  private static JsonObject withKeys(JsonObject body, JsonArray ec, JsonArray kyber) {
    if (!ec.isEmpty()) {
      body.put("preKeys", ec);
    }
    if (!kyber.isEmpty()) {
      body.put("kyberPreKeys", kyber);
    }
    return body;
  }

  private static int size(JsonObject json) {
    return json.encode().getBytes(StandardCharsets.UTF_8).length;
  }

  static JsonObject preKeyJson(PreKeyRecord record) {
    try {
      return new JsonObject()
          .put("id", record.getId())
          .put("publicKey", B64.encodeToString(record.getKeyPair().getPublicKey().serialize()));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("unreadable PreKey " + record.getId(), e);
    }
  }

  static JsonObject signedPreKeyJson(SignedPreKeyRecord record) {
    try {
      return signedJson(record.getId(), record.getKeyPair().getPublicKey().serialize(), record.getSignature());
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("unreadable signed PreKey " + record.getId(), e);
    }
  }

  static JsonObject kyberPreKeyJson(KyberPreKeyRecord record) {
    try {
      return signedJson(record.getId(), record.getKeyPair().getPublicKey().serialize(), record.getSignature());
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("unreadable Kyber PreKey " + record.getId(), e);
    }
  }

  /** The wire shape of a signed pre-key, EC or Kyber alike (PROTOCOL.md §1 "Keys"). */
  private static JsonObject signedJson(int id, byte[] publicKey, byte[] signature) {
    return new JsonObject().put("id", id).put("publicKey", B64.encodeToString(publicKey))
        .put("signature", B64.encodeToString(signature));
  }

  // ---------------------------------------------------------------- bundles

  private static Future<List<PreKeyBundle>> parseBundles(JsonObject body) {
    try {
      List<PreKeyBundle> bundles = new ArrayList<>();
      for (Object device : body.getJsonArray("devices")) {
        bundles.add(bundle((JsonObject) device));
      }
      return Future.succeededFuture(bundles);
    } catch (InvalidKeyException | RuntimeException unreadable) {
      return Future.failedFuture(new CourierException("INVALID_KEY", 0,
          "unreadable PreKey bundle: " + unreadable, false, 0));
    }
  }

  private static Future<PreKeyBundle> onlyBundle(List<PreKeyBundle> bundles, int device) {
    for (PreKeyBundle bundle : bundles) {
      if (bundle.getDeviceId() == device) {
        return Future.succeededFuture(bundle);
      }
    }
    return Future.failedFuture(new CourierException("INVALID_KEY", 0,
        "the answer has no bundle for device " + device, false, 0));
  }

  /** One Device of a {@code GET /v1/keys/...} answer; {@code preKey} is optional, the rest required. */
  static PreKeyBundle bundle(JsonObject device) throws InvalidKeyException {
    JsonObject signed = device.getJsonObject("signedPreKey");
    JsonObject kyber = device.getJsonObject("kyberPreKey");
    JsonObject preKey = device.getJsonObject("preKey");
    return new PreKeyBundle(
        device.getInteger("registrationId"),
        device.getInteger("device"),
        preKey == null ? PreKeyBundle.NULL_PRE_KEY_ID : preKey.getInteger("id"),
        preKey == null ? null : new ECPublicKey(B64D.decode(preKey.getString("publicKey"))),
        signed.getInteger("id"),
        new ECPublicKey(B64D.decode(signed.getString("publicKey"))),
        B64D.decode(signed.getString("signature")),
        new IdentityKey(B64D.decode(device.getString("identityKey"))),
        kyber.getInteger("id"),
        new KEMPublicKey(B64D.decode(kyber.getString("publicKey"))),
        B64D.decode(kyber.getString("signature")));
  }
}
