package io.courier.client.signal;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Base64;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.util.KeyHelper;

/** Devices without a server: stores with keys, and bundles as the key directory hands them out. */
final class TestDevices {

  private TestDevices() {
  }

  /** A new store for {@code account}.{@code device} under {@code root}, with its first keys generated. */
  static FileSignalStore withKeys(Path root, String account, int device, IdentityKeyPair identity) {
    FileSignalStore store = FileSignalStore.create(FileSignalStore.deviceDir(root, account, device), account, device,
        identity, KeyHelper.generateRegistrationId(false));
    DeviceKeys.generateFirstUpload(store);
    return store;
  }

  /** Generates {@code store}'s first keys and returns a bundle with its first one-time keys. */
  static PreKeyBundle freshBundle(FileSignalStore store, int device) throws Exception {
    return KeysApi.bundle(bundleJson(store, device, DeviceKeys.generateFirstUpload(store), 0));
  }

  /**
   * One Device of a {@code GET /v1/keys/{account}} answer, built with the SDK's own upload encoders: the signed and
   * the last-resort keys of {@code upload}, and its one-time keys number {@code oneTime} (or none when negative: the
   * directory then hands out the last-resort Kyber key and no EC key).
   */
  static JsonObject bundleJson(FileSignalStore store, int device, DeviceKeys.FirstUpload upload, int oneTime) {
    JsonObject json = new JsonObject()
        .put("device", device)
        .put("registrationId", store.getLocalRegistrationId())
        .put("identityKey", Base64.getEncoder().encodeToString(
            store.getIdentityKeyPair().getPublicKey().serialize()))
        .put("signedPreKey", KeysApi.signedPreKeyJson(upload.signedPreKey()));
    if (oneTime >= 0) {
      json.put("preKey", KeysApi.preKeyJson(upload.preKeys().get(oneTime)))
          .put("kyberPreKey", KeysApi.kyberPreKeyJson(upload.kyberPreKeys().get(oneTime)));
    } else {
      json.put("kyberPreKey", KeysApi.kyberPreKeyJson(upload.lastResort()));
    }
    return json;
  }
}
