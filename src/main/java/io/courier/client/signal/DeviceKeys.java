package io.courier.client.signal;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyType;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;

/**
 * This Device's PreKeys in the key directory: generates them into the {@link FileSignalStore} and uploads them.
 *
 * <ol>
 *   <li>{@link #ensureUploaded()}: unless the store's registration id was uploaded already, makes a signed PreKey,
 *       a last-resort Kyber PreKey and {@value #BATCH} one-time EC and Kyber PreKeys, stores them, and sends them with
 *       {@code PUT /v1/keys} (split as {@link KeysApi} explains); then marks the registration id as uploaded.</li>
 *   <li>{@link #topUp()}: asks {@code GET /v1/keys/count} and, for each kind below {@value #LOW_WATER}, makes and
 *       adds enough one-time keys to have {@value #BATCH} again ({@code POST /v1/keys/prekeys}). One top-up at a
 *       time: a call while one runs gets the running one.</li>
 * </ol>
 *
 * @implNote Keys are stored before they are uploaded, so a session started from any uploaded key can be decrypted;
 *     a failed upload leaves unused keys in the store, which is harmless. Generation runs on a worker thread
 *     ({@code executeBlocking}): the first libsignal call loads its native library (about a second).
 *     {@link #topUp()} must be called on the messenger's context. Signed PreKeys are not rotated.
 */
final class DeviceKeys {

  /** How many one-time keys of each kind a Device keeps in the directory. */
  static final int BATCH = 100;

  /** Below this many one-time keys of a kind, a top-up refills that kind to {@link #BATCH}. */
  static final int LOW_WATER = 20;

  private final Vertx vertx;
  private final FileSignalStore store;
  private final KeysApi keys;
  /** The running top-up, or null. */
  private Future<Void> topUp;

  DeviceKeys(Vertx vertx, FileSignalStore store, KeysApi keys) {
    this.vertx = vertx;
    this.store = store;
    this.keys = keys;
  }

  /** The key material of a first upload. */
  record FirstUpload(SignedPreKeyRecord signedPreKey, KyberPreKeyRecord lastResort, List<PreKeyRecord> preKeys,
      List<KyberPreKeyRecord> kyberPreKeys) {
  }

  /** The one-time keys of a top-up. */
  record OneTimeKeys(List<PreKeyRecord> preKeys, List<KyberPreKeyRecord> kyberPreKeys) {
  }

  /** Uploads this Device's keys unless its current registration id was uploaded already. */
  Future<Void> ensureUploaded() {
    int registrationId = store.getLocalRegistrationId();
    if (store.uploadedRegistrationId() == registrationId) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> generateFirstUpload(store))
        .compose(upload -> keys.putKeys(store.getIdentityKeyPair().getPublicKey(), registrationId,
            upload.signedPreKey(), upload.lastResort(), upload.preKeys(), upload.kyberPreKeys()))
        .map(ignored -> markUploaded());
  }

  /** Refills the one-time keys in the directory when a kind runs low; see the class comment. */
  Future<Void> topUp() {
    if (topUp != null) {
      return topUp;
    }
    Future<Void> running = keys.count().compose(this::refill);
    if (!running.isComplete()) {
      topUp = running;
      running.onComplete(ignored -> topUp = null);
    }
    return running;
  }

  private Void markUploaded() {
    store.markUploaded();
    return null;
  }

  private Future<Void> refill(KeysApi.PreKeyCount count) {
    int preKeys = count.preKeys() < LOW_WATER ? BATCH - count.preKeys() : 0;
    int kyberPreKeys = count.kyberPreKeys() < LOW_WATER ? BATCH - count.kyberPreKeys() : 0;
    if (preKeys == 0 && kyberPreKeys == 0) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> generateOneTimeKeys(store, preKeys, kyberPreKeys))
        .compose(batch -> keys.addPreKeys(batch.preKeys(), batch.kyberPreKeys()));
  }

  /** Makes and stores the keys of a first upload, and makes them the current ones. */
  static FirstUpload generateFirstUpload(FileSignalStore store) {
    IdentityKeyPair identity = store.getIdentityKeyPair();
    int signedId = store.reserveSignedPreKeyId();
    ECKeyPair signedPair = ECKeyPair.generate();
    SignedPreKeyRecord signed = new SignedPreKeyRecord(signedId, System.currentTimeMillis(), signedPair,
        identity.getPrivateKey().calculateSignature(signedPair.getPublicKey().serialize()));
    KyberPreKeyRecord lastResort = kyberPreKeys(identity, store.reserveKyberPreKeyIds(1), 1).get(0);
    OneTimeKeys oneTime = generateOneTimeKeys(store, BATCH, BATCH);
    store.storeSignedPreKey(signedId, signed);
    store.storeKyberPreKeys(List.of(lastResort), true);
    store.setCurrentKeys(signedId, lastResort.getId());
    return new FirstUpload(signed, lastResort, oneTime.preKeys(), oneTime.kyberPreKeys());
  }

  /** Makes and stores one-time keys: {@code preKeys} EC and {@code kyberPreKeys} Kyber ones. */
  static OneTimeKeys generateOneTimeKeys(FileSignalStore store, int preKeys, int kyberPreKeys) {
    List<PreKeyRecord> ec = new ArrayList<>();
    int firstEc = preKeys > 0 ? store.reservePreKeyIds(preKeys) : 0;
    for (int i = 0; i < preKeys; i++) {
      ec.add(new PreKeyRecord(firstEc + i, ECKeyPair.generate()));
    }
    List<KyberPreKeyRecord> kyber = kyberPreKeys > 0
        ? kyberPreKeys(store.getIdentityKeyPair(), store.reserveKyberPreKeyIds(kyberPreKeys), kyberPreKeys)
        : List.of();
    store.storePreKeys(ec);
    store.storeKyberPreKeys(kyber, false);
    return new OneTimeKeys(ec, kyber);
  }

  private static List<KyberPreKeyRecord> kyberPreKeys(IdentityKeyPair identity, int firstId, int count) {
    List<KyberPreKeyRecord> records = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; i < count; i++) {
      KEMKeyPair pair = KEMKeyPair.generate(KEMKeyType.KYBER_1024);
      byte[] signature = identity.getPrivateKey().calculateSignature(pair.getPublicKey().serialize());
      records.add(new KyberPreKeyRecord(firstId + i, now, pair, signature));
    }
    return records;
  }
}
