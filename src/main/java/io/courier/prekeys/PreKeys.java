package io.courier.prekeys;

import java.util.List;

/** The key directory's records: what devices upload and what others fetch (docs/PROTOCOL.md §1 "Keys"). */
public final class PreKeys {
  private PreKeys() {}

  /** A one-time EC pre-key: {@code id} and base64 public key. */
  public record PreKey(int id, String publicKey) {}

  /** A signed pre-key (EC or Kyber): {@code id}, base64 public key and base64 signature by the identity key. */
  public record SignedPreKey(int id, String publicKey, String signature) {}

  /**
   * A device's identity upload ({@code PUT /v1/keys}).
   *
   * @param identityKey           base64 identity public key
   * @param registrationId        1 to 16,380
   * @param signedPreKey          the current signed EC pre-key
   * @param lastResortKyberPreKey handed out when the one-time Kyber pre-keys run out
   * @param preKeys               one-time EC pre-keys to add
   * @param kyberPreKeys          one-time Kyber pre-keys to add
   */
  public record DeviceKeys(String identityKey, int registrationId, SignedPreKey signedPreKey,
      SignedPreKey lastResortKyberPreKey, List<PreKey> preKeys, List<SignedPreKey> kyberPreKeys) {}

  /** A top-up ({@code POST /v1/keys/prekeys}); {@code signedPreKey} is null when not rotated. */
  public record PreKeyBatch(List<PreKey> preKeys, List<SignedPreKey> kyberPreKeys, SignedPreKey signedPreKey) {}

  /** One-time keys a device has left. */
  public record Counts(long preKeys, long kyberPreKeys) {}

  /**
   * What a sender needs to start a session with one device; {@code preKey} is null when the device has no
   * one-time EC pre-key left, and {@code kyberPreKey} is then possibly the last-resort key.
   */
  public record Bundle(int device, int registrationId, String identityKey, SignedPreKey signedPreKey, PreKey preKey,
      SignedPreKey kyberPreKey) {}
}
