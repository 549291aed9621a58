package io.courier.client.signal;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.InvalidKeyIdException;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.ReusedBaseKeyException;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECPublicKey;
import org.signal.libsignal.protocol.groups.state.SenderKeyRecord;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SessionRecord;
import org.signal.libsignal.protocol.state.SignalProtocolStore;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.util.Medium;

/**
 * The Signal protocol state of one Device, in one folder ({@link #deviceDir}: {@code <root>/<account>/<device>}):
 * its identity key pair and registration id, the identities of the Devices it talks to, its sessions, and its
 * one-time, signed and Kyber PreKeys. libsignal reads and changes it through {@link SignalProtocolStore}.
 *
 * <p>Files (JSON, byte values in standard base64, except the sessions):
 * <ul>
 *   <li>{@value #LOCAL}: account, device, registration id, the identity key pair, the PreKey id counters, the ids of
 *       the current signed PreKey and last-resort Kyber PreKey, and the registration id last uploaded to the key
 *       directory (0 before the first upload).</li>
 *   <li>{@value #IDENTITIES}: per address ({@code account.device}) the identity key seen last, and per Account the
 *       identity keys the user accepted (trust on first use, or {@link #acceptIdentity}) and the current one.</li>
 *   <li>{@code sessions/<account>.<device>}: one {@link SessionRecord} per remote Device, serialized.</li>
 *   <li>{@value #PREKEYS}, {@value #SIGNED_PREKEYS}, {@value #KYBER_PREKEYS} (plus which Kyber keys are last-resort
 *       keys and the base keys seen with them), {@value #SENDER_KEYS}.</li>
 * </ul>
 *
 * <p><b>Trust.</b> The model is Signal's: one identity per Account, shared by its Devices. Sending to a Device is
 * allowed when its identity key is one the user accepted for its Account; the first key seen for an Account is
 * accepted (trust on first use); a different key must be accepted with {@link #acceptIdentity} first (until then
 * libsignal refuses to encrypt with {@code UntrustedIdentityException}). Receiving is always allowed, as in Signal:
 * a changed key is recorded per address ({@link #saveIdentity} answers {@code REPLACED_EXISTING}) and the messenger
 * tells the user. Several accepted keys per Account are kept because an Account may briefly have Devices with two
 * identities (a Device that re-registered next to linked ones that still hold the old identity).
 *
 * @implNote Every change is written through at once with {@link AtomicFiles} (temporary file, forced, renamed), so a
 *     crash leaves each file either before or after the change, never torn; changes that touch two files (rare:
 *     {@link #replaceLocalIdentity}) are not atomic together. All state is also held in memory: one process only
 *     may use a folder. Methods are synchronized, so any thread may call them; the writes block the caller for
 *     the time of a small forced file write, which the messenger accepts on its event loop. Private keys are
 *     stored unencrypted, protected only by the file system's permissions.
 */
public final class FileSignalStore implements SignalProtocolStore {

  static final String LOCAL = "local.json";
  static final String IDENTITIES = "identities.json";
  static final String PREKEYS = "prekeys.json";
  static final String SIGNED_PREKEYS = "signed-prekeys.json";
  static final String KYBER_PREKEYS = "kyber-prekeys.json";
  static final String SENDER_KEYS = "sender-keys.json";
  static final String SESSIONS = "sessions";

  /** The format version written to {@value #LOCAL}; another version is refused. */
  private static final int FORMAT_VERSION = 1;

  /** PROTOCOL.md's account id pattern; names used in file paths must match it. */
  static final Pattern ACCOUNT_ID = Pattern.compile("[a-z0-9][a-z0-9_.-]{2,31}");

  /** PreKey ids go from 1 to this (libsignal's 24-bit "medium"), then start again at 1. */
  private static final int MAX_PREKEY_ID = Medium.MAX_VALUE;

  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final Base64.Decoder B64D = Base64.getDecoder();

  private final Path dir;
  private final String account;
  private final int device;
  private JsonObject local;
  private IdentityKeyPair identity;

  /** address ("account.device") → the identity key seen last for it. */
  private final Map<String, IdentityKey> addressIdentities = new TreeMap<>();
  /** account → accepted identity keys; the last one is the current. */
  private final Map<String, LinkedHashSet<IdentityKey>> acceptedIdentities = new TreeMap<>();
  private final Map<String, byte[]> sessions = new HashMap<>();
  private final Map<Integer, byte[]> preKeys = new TreeMap<>();
  private final Map<Integer, byte[]> signedPreKeys = new TreeMap<>();
  private final Map<Integer, byte[]> kyberPreKeys = new TreeMap<>();
  private final Set<Integer> lastResortKyberIds = new HashSet<>();
  private final Set<String> usedKyberBaseKeys = new LinkedHashSet<>();
  private final Map<String, byte[]> senderKeys = new TreeMap<>();

  private FileSignalStore(Path dir, String account, int device) {
    this.dir = dir;
    this.account = account;
    this.device = device;
  }

  /** The folder of one Device's store under the app's data folder {@code root}: {@code root/<account>/<device>}. */
  public static Path deviceDir(Path root, String account, int device) {
    requireAccountId(account);
    if (device < 1) {
      throw new IllegalArgumentException("device must be at least 1: " + device);
    }
    return root.resolve(account).resolve(Integer.toString(device));
  }

  /** Whether {@code dir} holds a store (its {@value #LOCAL} exists). */
  public static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(LOCAL));
  }

  /**
   * Creates a store for a new Device with {@code identity} (generated, or provisioned by a linking Device) and
   * {@code registrationId}; the Account's own identity is accepted. Fails if {@code dir} already holds a store.
   */
  public static FileSignalStore create(Path dir, String account, int device, IdentityKeyPair identity,
      int registrationId) {
    requireAccountId(account);
    if (exists(dir)) {
      throw new IllegalStateException("a store already exists in " + dir);
    }
    FileSignalStore store = new FileSignalStore(dir, account, device);
    store.identity = identity;
    store.local = new JsonObject()
        .put("version", FORMAT_VERSION)
        .put("account", account)
        .put("device", device)
        .put("registrationId", registrationId)
        .put("identityKeyPair", B64.encodeToString(identity.serialize()))
        .put("nextPreKeyId", 1)
        .put("nextKyberPreKeyId", 1)
        .put("nextSignedPreKeyId", 1)
        .put("signedPreKeyId", 0)
        .put("lastResortKyberPreKeyId", 0)
        .put("uploadedRegistrationId", 0);
    store.acceptedIdentities.computeIfAbsent(account, a -> new LinkedHashSet<>()).add(identity.getPublicKey());
    store.writeIdentities();
    store.writeLocal();
    return store;
  }

  /** Opens the store in {@code dir}, reading every file; fails if there is none or it cannot be read. */
  public static FileSignalStore open(Path dir) {
    byte[] localBytes = AtomicFiles.readIfExists(dir.resolve(LOCAL));
    if (localBytes == null) {
      throw new IllegalStateException("no store in " + dir);
    }
    JsonObject local = json(localBytes);
    if (local.getInteger("version", 0) != FORMAT_VERSION) {
      throw new IllegalStateException("unknown store version in " + dir + ": " + local.getValue("version"));
    }
    FileSignalStore store = new FileSignalStore(dir, local.getString("account"), local.getInteger("device"));
    store.local = local;
    try {
      store.identity = new IdentityKeyPair(B64D.decode(local.getString("identityKeyPair")));
      store.readIdentities();
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("unreadable identity in " + dir, e);
    }
    readBytesMap(dir.resolve(PREKEYS), store.preKeys);
    readBytesMap(dir.resolve(SIGNED_PREKEYS), store.signedPreKeys);
    store.readKyber();
    store.readSenderKeys();
    store.readSessions();
    return store;
  }

  /** The folder of this store. */
  public Path dir() {
    return dir;
  }

  /** The Account this Device belongs to. */
  public String account() {
    return account;
  }

  /** This Device's number. */
  public int device() {
    return device;
  }

  // ---------------------------------------------------------------- local identity and key bookkeeping

  @Override
  public synchronized IdentityKeyPair getIdentityKeyPair() {
    return identity;
  }

  @Override
  public synchronized int getLocalRegistrationId() {
    return local.getInteger("registrationId");
  }

  /**
   * Replaces this Device's identity and registration id (a re-registration) and forgets every session and the
   * key-directory upload mark; the new identity is accepted for the own Account. With a new identity key the
   * one-time PreKeys are forgotten too (the directory drops them); with the same key they are kept, since the
   * directory keeps handing them out.
   */
  public synchronized void replaceLocalIdentity(IdentityKeyPair newIdentity, int registrationId) {
    boolean identityChanged = !newIdentity.getPublicKey().equals(identity.getPublicKey());
    identity = newIdentity;
    local.put("identityKeyPair", B64.encodeToString(newIdentity.serialize()))
        .put("registrationId", registrationId)
        .put("uploadedRegistrationId", 0);
    writeLocal();
    acceptIdentity(account, newIdentity.getPublicKey());
    for (String address : List.copyOf(sessions.keySet())) {
      sessions.remove(address);
      AtomicFiles.delete(sessionFile(address));
    }
    if (identityChanged) {
      preKeys.clear();
      writeBytesMap(PREKEYS, preKeys);
      kyberPreKeys.keySet().removeIf(id -> !lastResortKyberIds.contains(id));
      writeKyber();
    }
  }

  /** Reserves {@code count} consecutive one-time EC PreKey ids and returns the first. */
  synchronized int reservePreKeyIds(int count) {
    return reserve("nextPreKeyId", count);
  }

  /** Reserves {@code count} consecutive Kyber PreKey ids (one-time and last-resort ones share them); the first. */
  synchronized int reserveKyberPreKeyIds(int count) {
    return reserve("nextKyberPreKeyId", count);
  }

  /** Reserves one signed PreKey id. */
  synchronized int reserveSignedPreKeyId() {
    return reserve("nextSignedPreKeyId", 1);
  }

  /** The id of the current signed PreKey, or 0 before the first one. */
  synchronized int currentSignedPreKeyId() {
    return local.getInteger("signedPreKeyId");
  }

  /** The id of the current last-resort Kyber PreKey, or 0 before the first one. */
  synchronized int currentLastResortKyberPreKeyId() {
    return local.getInteger("lastResortKyberPreKeyId");
  }

  /** Makes these the current signed PreKey and last-resort Kyber PreKey (both must be stored already). */
  synchronized void setCurrentKeys(int signedPreKeyId, int lastResortKyberPreKeyId) {
    local.put("signedPreKeyId", signedPreKeyId).put("lastResortKyberPreKeyId", lastResortKyberPreKeyId);
    writeLocal();
  }

  /** The registration id whose keys were uploaded with {@code PUT /v1/keys}, or 0 when none were. */
  synchronized int uploadedRegistrationId() {
    return local.getInteger("uploadedRegistrationId");
  }

  /** Records that the keys of the current registration id are in the key directory. */
  synchronized void markUploaded() {
    local.put("uploadedRegistrationId", getLocalRegistrationId());
    writeLocal();
  }

  private int reserve(String counter, int count) {
    int first = local.getInteger(counter);
    if (first + (long) count > MAX_PREKEY_ID) {
      first = 1; // wrap around; the ids used before were consumed or replaced long ago
    }
    local.put(counter, first + count);
    writeLocal();
    return first;
  }

  // ---------------------------------------------------------------- identities

  @Override
  public synchronized IdentityChange saveIdentity(SignalProtocolAddress address, IdentityKey identityKey) {
    String name = address.getName();
    IdentityKey previous = addressIdentities.put(addressKey(address), identityKey);
    Set<IdentityKey> accepted = acceptedIdentities.get(name);
    if (accepted == null || accepted.isEmpty()) {
      acceptedIdentities.computeIfAbsent(name, a -> new LinkedHashSet<>()).add(identityKey); // trust on first use
    }
    writeIdentities();
    return previous != null && !previous.equals(identityKey) ? IdentityChange.REPLACED_EXISTING
        : IdentityChange.NEW_OR_UNCHANGED;
  }

  @Override
  public synchronized boolean isTrustedIdentity(SignalProtocolAddress address, IdentityKey identityKey,
      Direction direction) {
    if (direction == Direction.RECEIVING) {
      return true; // as in Signal: messages are shown, a changed identity is reported (see the class comment)
    }
    return isAccepted(address.getName(), identityKey);
  }

  @Override
  public synchronized IdentityKey getIdentity(SignalProtocolAddress address) {
    return addressIdentities.get(addressKey(address));
  }

  /**
   * Whether sending to {@code account} with {@code identityKey} is allowed: the key was accepted, or no key of the
   * account is known yet (trust on first use).
   */
  public synchronized boolean isAccepted(String account, IdentityKey identityKey) {
    Set<IdentityKey> accepted = acceptedIdentities.get(account);
    return accepted == null || accepted.isEmpty() || accepted.contains(identityKey);
  }

  /** Accepts {@code identityKey} for {@code account} and makes it the current one (used for safety numbers). */
  public synchronized void acceptIdentity(String account, IdentityKey identityKey) {
    LinkedHashSet<IdentityKey> accepted = acceptedIdentities.computeIfAbsent(account, a -> new LinkedHashSet<>());
    accepted.remove(identityKey);
    accepted.add(identityKey);
    writeIdentities();
  }

  /** The identity key accepted last for {@code account}, or null when none is known. */
  public synchronized IdentityKey currentIdentity(String account) {
    LinkedHashSet<IdentityKey> accepted = acceptedIdentities.get(account);
    if (accepted == null || accepted.isEmpty()) {
      return null;
    }
    IdentityKey last = null;
    for (IdentityKey key : accepted) {
      last = key;
    }
    return last;
  }

  /** The identity keys seen last for the addresses of {@code account} (accepted or not). */
  public synchronized Set<IdentityKey> seenIdentities(String account) {
    Set<IdentityKey> seen = new LinkedHashSet<>();
    addressIdentities.forEach((address, key) -> {
      if (address.substring(0, address.lastIndexOf('.')).equals(account)) {
        seen.add(key);
      }
    });
    return seen;
  }

  // ---------------------------------------------------------------- sessions

  @Override
  public synchronized SessionRecord loadSession(SignalProtocolAddress address) {
    byte[] serialized = sessions.get(addressKey(address));
    if (serialized == null) {
      return new SessionRecord(); // libsignal's contract: a fresh record when there is none
    }
    return session(serialized, address);
  }

  @Override
  public synchronized List<SessionRecord> loadExistingSessions(List<SignalProtocolAddress> addresses)
      throws NoSessionException {
    List<SessionRecord> records = new ArrayList<>();
    for (SignalProtocolAddress address : addresses) {
      byte[] serialized = sessions.get(addressKey(address));
      if (serialized == null) {
        throw new NoSessionException(address, "no session for " + address);
      }
      records.add(session(serialized, address));
    }
    return records;
  }

  /** libsignal's convention: the Devices other than 1 that have a session. See {@link #sessionDevices}. */
  @Override
  public synchronized List<Integer> getSubDeviceSessions(String name) {
    return sessionDevices(name).stream().filter(device -> device != 1).toList();
  }

  /** Every Device of {@code name} with a session, in ascending order. */
  public synchronized List<Integer> sessionDevices(String name) {
    String prefix = name + ".";
    return sessions.keySet().stream()
        .filter(address -> address.startsWith(prefix) && address.indexOf('.', prefix.length()) < 0)
        .map(address -> Integer.parseInt(address.substring(prefix.length())))
        .sorted()
        .toList();
  }

  @Override
  public synchronized void storeSession(SignalProtocolAddress address, SessionRecord record) {
    String key = addressKey(address);
    byte[] serialized = record.serialize();
    AtomicFiles.write(sessionFile(key), serialized);
    sessions.put(key, serialized);
  }

  @Override
  public synchronized boolean containsSession(SignalProtocolAddress address) {
    return sessions.containsKey(addressKey(address));
  }

  @Override
  public synchronized void deleteSession(SignalProtocolAddress address) {
    String key = addressKey(address);
    sessions.remove(key);
    AtomicFiles.delete(sessionFile(key));
  }

  @Override
  public synchronized void deleteAllSessions(String name) {
    for (int session : sessionDevices(name)) {
      deleteSession(new SignalProtocolAddress(name, session));
    }
  }

  // ---------------------------------------------------------------- one-time EC PreKeys

  @Override
  public synchronized PreKeyRecord loadPreKey(int preKeyId) throws InvalidKeyIdException {
    byte[] serialized = preKeys.get(preKeyId);
    if (serialized == null) {
      throw new InvalidKeyIdException("no PreKey " + preKeyId);
    }
    try {
      return new PreKeyRecord(serialized);
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("unreadable PreKey " + preKeyId + " in " + dir, e);
    }
  }

  @Override
  public synchronized void storePreKey(int preKeyId, PreKeyRecord record) {
    preKeys.put(preKeyId, record.serialize());
    writeBytesMap(PREKEYS, preKeys);
  }

  /** Stores a batch of one-time EC PreKeys with one file write. */
  public synchronized void storePreKeys(List<PreKeyRecord> records) {
    for (PreKeyRecord record : records) {
      preKeys.put(record.getId(), record.serialize());
    }
    writeBytesMap(PREKEYS, preKeys);
  }

  @Override
  public synchronized boolean containsPreKey(int preKeyId) {
    return preKeys.containsKey(preKeyId);
  }

  @Override
  public synchronized void removePreKey(int preKeyId) {
    if (preKeys.remove(preKeyId) != null) {
      writeBytesMap(PREKEYS, preKeys);
    }
  }

  /** How many one-time EC PreKeys are stored. */
  public synchronized int preKeyCount() {
    return preKeys.size();
  }

  // ---------------------------------------------------------------- signed PreKeys

  @Override
  public synchronized SignedPreKeyRecord loadSignedPreKey(int signedPreKeyId) throws InvalidKeyIdException {
    byte[] serialized = signedPreKeys.get(signedPreKeyId);
    if (serialized == null) {
      throw new InvalidKeyIdException("no signed PreKey " + signedPreKeyId);
    }
    try {
      return new SignedPreKeyRecord(serialized);
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("unreadable signed PreKey " + signedPreKeyId + " in " + dir, e);
    }
  }

  @Override
  public synchronized List<SignedPreKeyRecord> loadSignedPreKeys() {
    List<SignedPreKeyRecord> records = new ArrayList<>();
    for (int id : signedPreKeys.keySet()) {
      try {
        records.add(loadSignedPreKey(id));
      } catch (InvalidKeyIdException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    return records;
  }

  @Override
  public synchronized void storeSignedPreKey(int signedPreKeyId, SignedPreKeyRecord record) {
    signedPreKeys.put(signedPreKeyId, record.serialize());
    writeBytesMap(SIGNED_PREKEYS, signedPreKeys);
  }

  @Override
  public synchronized boolean containsSignedPreKey(int signedPreKeyId) {
    return signedPreKeys.containsKey(signedPreKeyId);
  }

  @Override
  public synchronized void removeSignedPreKey(int signedPreKeyId) {
    if (signedPreKeys.remove(signedPreKeyId) != null) {
      writeBytesMap(SIGNED_PREKEYS, signedPreKeys);
    }
  }

  // ---------------------------------------------------------------- Kyber PreKeys

  @Override
  public synchronized KyberPreKeyRecord loadKyberPreKey(int kyberPreKeyId) throws InvalidKeyIdException {
    byte[] serialized = kyberPreKeys.get(kyberPreKeyId);
    if (serialized == null) {
      throw new InvalidKeyIdException("no Kyber PreKey " + kyberPreKeyId);
    }
    try {
      return new KyberPreKeyRecord(serialized);
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("unreadable Kyber PreKey " + kyberPreKeyId + " in " + dir, e);
    }
  }

  @Override
  public synchronized List<KyberPreKeyRecord> loadKyberPreKeys() {
    List<KyberPreKeyRecord> records = new ArrayList<>();
    for (int id : kyberPreKeys.keySet()) {
      try {
        records.add(loadKyberPreKey(id));
      } catch (InvalidKeyIdException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
    return records;
  }

  /** Stores a one-time Kyber PreKey (see {@link #storeKyberPreKeys} for last-resort ones and batches). */
  @Override
  public synchronized void storeKyberPreKey(int kyberPreKeyId, KyberPreKeyRecord record) {
    kyberPreKeys.put(kyberPreKeyId, record.serialize());
    writeKyber();
  }

  /**
   * Stores a batch of Kyber PreKeys with one file write.
   *
   * @param lastResort whether they are last-resort keys, which {@link #markKyberPreKeyUsed} keeps (checking their
   *     base keys for reuse) instead of deleting
   */
  public synchronized void storeKyberPreKeys(List<KyberPreKeyRecord> records, boolean lastResort) {
    for (KyberPreKeyRecord record : records) {
      kyberPreKeys.put(record.getId(), record.serialize());
      if (lastResort) {
        lastResortKyberIds.add(record.getId());
      }
    }
    writeKyber();
  }

  @Override
  public synchronized boolean containsKyberPreKey(int kyberPreKeyId) {
    return kyberPreKeys.containsKey(kyberPreKeyId);
  }

  /**
   * A one-time Kyber PreKey is deleted once used. A last-resort key stays; the same (key, signed PreKey, base key)
   * seen twice is a replayed session start and is refused.
   */
  @Override
  public synchronized void markKyberPreKeyUsed(int kyberPreKeyId, int signedPreKeyId, ECPublicKey baseKey)
      throws ReusedBaseKeyException {
    if (!lastResortKyberIds.contains(kyberPreKeyId)) {
      if (kyberPreKeys.remove(kyberPreKeyId) != null) {
        writeKyber();
      }
      return;
    }
    String use = kyberPreKeyId + ":" + signedPreKeyId + ":" + B64.encodeToString(baseKey.serialize());
    if (!usedKyberBaseKeys.add(use)) {
      throw new ReusedBaseKeyException("base key reused with last-resort Kyber PreKey " + kyberPreKeyId);
    }
    writeKyber();
  }

  /** How many one-time (not last-resort) Kyber PreKeys are stored. */
  public synchronized int oneTimeKyberPreKeyCount() {
    return (int) kyberPreKeys.keySet().stream().filter(id -> !lastResortKyberIds.contains(id)).count();
  }

  // ---------------------------------------------------------------- sender keys (groups; unused by the messenger)

  @Override
  public synchronized void storeSenderKey(SignalProtocolAddress sender, UUID distributionId, SenderKeyRecord record) {
    senderKeys.put(addressKey(sender) + "/" + distributionId, record.serialize());
    writeBytesMap(SENDER_KEYS, senderKeys);
  }

  @Override
  public synchronized SenderKeyRecord loadSenderKey(SignalProtocolAddress sender, UUID distributionId) {
    byte[] serialized = senderKeys.get(addressKey(sender) + "/" + distributionId);
    if (serialized == null) {
      return null;
    }
    try {
      return new SenderKeyRecord(serialized);
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("unreadable sender key of " + sender + " in " + dir, e);
    }
  }

  // ---------------------------------------------------------------- files

  private static String addressKey(SignalProtocolAddress address) {
    requireAccountId(address.getName());
    return address.getName() + "." + address.getDeviceId();
  }

  static void requireAccountId(String account) {
    if (account == null || !ACCOUNT_ID.matcher(account).matches()) {
      throw new IllegalArgumentException("not an account id: " + account);
    }
  }

  private Path sessionFile(String addressKey) {
    return dir.resolve(SESSIONS).resolve(addressKey);
  }

  private SessionRecord session(byte[] serialized, SignalProtocolAddress address) {
    try {
      return new SessionRecord(serialized);
    } catch (InvalidMessageException e) {
      throw new IllegalStateException("unreadable session with " + address + " in " + dir, e);
    }
  }

  private void writeLocal() {
    AtomicFiles.write(dir.resolve(LOCAL), local.encodePrettily().getBytes(StandardCharsets.UTF_8));
  }

  private void writeIdentities() {
    JsonObject addresses = new JsonObject();
    addressIdentities.forEach((address, key) -> addresses.put(address, B64.encodeToString(key.serialize())));
    JsonObject accounts = new JsonObject();
    acceptedIdentities.forEach((name, keys) -> accounts.put(name,
        new JsonArray(keys.stream().map(key -> B64.encodeToString(key.serialize())).toList())));
    JsonObject json = new JsonObject().put("addresses", addresses).put("accepted", accounts);
    AtomicFiles.write(dir.resolve(IDENTITIES), json.encodePrettily().getBytes(StandardCharsets.UTF_8));
  }

  private void readIdentities() throws InvalidKeyException {
    byte[] bytes = AtomicFiles.readIfExists(dir.resolve(IDENTITIES));
    if (bytes == null) {
      return;
    }
    JsonObject json = json(bytes);
    JsonObject addresses = json.getJsonObject("addresses", new JsonObject());
    for (String address : addresses.fieldNames()) {
      addressIdentities.put(address, new IdentityKey(B64D.decode(addresses.getString(address))));
    }
    JsonObject accounts = json.getJsonObject("accepted", new JsonObject());
    for (String name : accounts.fieldNames()) {
      LinkedHashSet<IdentityKey> keys = new LinkedHashSet<>();
      for (Object key : accounts.getJsonArray(name)) {
        keys.add(new IdentityKey(B64D.decode((String) key)));
      }
      acceptedIdentities.put(name, keys);
    }
  }

  private void writeKyber() {
    JsonObject records = new JsonObject();
    kyberPreKeys.forEach((id, bytes) -> records.put(id.toString(), B64.encodeToString(bytes)));
    // base keys seen with last-resort keys that no longer exist cannot be replayed any more: drop them
    usedKyberBaseKeys.removeIf(use -> !kyberPreKeys.containsKey(Integer.parseInt(use.substring(0, use.indexOf(':')))));
    lastResortKyberIds.retainAll(kyberPreKeys.keySet());
    JsonObject json = new JsonObject()
        .put("records", records)
        .put("lastResort", new JsonArray(lastResortKyberIds.stream().sorted().toList()))
        .put("usedBaseKeys", new JsonArray(new ArrayList<>(usedKyberBaseKeys)));
    AtomicFiles.write(dir.resolve(KYBER_PREKEYS), json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private void readKyber() {
    byte[] bytes = AtomicFiles.readIfExists(dir.resolve(KYBER_PREKEYS));
    if (bytes == null) {
      return;
    }
    JsonObject json = json(bytes);
    JsonObject records = json.getJsonObject("records", new JsonObject());
    for (String id : records.fieldNames()) {
      kyberPreKeys.put(Integer.parseInt(id), B64D.decode(records.getString(id)));
    }
    for (Object id : json.getJsonArray("lastResort", new JsonArray())) {
      lastResortKyberIds.add(((Number) id).intValue());
    }
    for (Object use : json.getJsonArray("usedBaseKeys", new JsonArray())) {
      usedKyberBaseKeys.add((String) use);
    }
  }

  private void readSenderKeys() {
    byte[] bytes = AtomicFiles.readIfExists(dir.resolve(SENDER_KEYS));
    if (bytes != null) {
      JsonObject json = json(bytes);
      for (String key : json.fieldNames()) {
        senderKeys.put(key, B64D.decode(json.getString(key)));
      }
    }
  }

  private void readSessions() {
    Path sessionDir = dir.resolve(SESSIONS);
    if (!Files.isDirectory(sessionDir)) {
      return;
    }
    try (Stream<Path> files = Files.list(sessionDir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (!name.startsWith(AtomicFiles.TEMP_PREFIX)) {
          sessions.put(name, Objects.requireNonNull(AtomicFiles.readIfExists(file), name));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + sessionDir, e);
    }
  }

  private void writeBytesMap(String file, Map<?, byte[]> map) {
    JsonObject json = new JsonObject();
    map.forEach((key, bytes) -> json.put(key.toString(), B64.encodeToString(bytes)));
    AtomicFiles.write(dir.resolve(file), json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static void readBytesMap(Path file, Map<Integer, byte[]> into) {
    byte[] bytes = AtomicFiles.readIfExists(file);
    if (bytes != null) {
      JsonObject json = json(bytes);
      for (String key : json.fieldNames()) {
        into.put(Integer.parseInt(key), B64D.decode(json.getString(key)));
      }
    }
  }

  private static JsonObject json(byte[] bytes) {
    return new JsonObject(new String(bytes, StandardCharsets.UTF_8));
  }
}
