package io.courier.prekeys;

import io.courier.prekeys.PreKeys.Bundle;
import io.courier.prekeys.PreKeys.Counts;
import io.courier.prekeys.PreKeys.DeviceKeys;
import io.courier.prekeys.PreKeys.PreKeyBatch;
import io.courier.protocol.DeviceId;
import io.vertx.core.Future;
import java.util.List;

/**
 * The key directory: each device's identity and pre-keys, so others can open end-to-end sessions with it while it
 * is offline. Verbs: {@code store} and {@code add} upload, {@code take} consumes one-time keys.
 */
public interface KeyDirectory {

  /** Sets {@code device}'s identity and signed keys and adds one-time keys ({@code PUT /v1/keys}). */
  Future<Void> store(DeviceId device, DeviceKeys keys);

  /** Adds one-time keys and may rotate the signed pre-key; {@code NO_KEYS} before {@link #store}. */
  Future<Void> add(DeviceId device, PreKeyBatch batch);

  /** One-time keys {@code device} has left. */
  Future<Counts> count(DeviceId device);

  /**
   * Takes a bundle for {@code device} of {@code account}, or for each of its devices with keys when
   * {@code device} is 0, consuming one one-time key of each kind per device.
   */
  Future<List<Bundle>> take(String account, int device);

  /** Forgets every key of {@code device} (unlinked or logged out). */
  Future<Void> delete(DeviceId device);
}
