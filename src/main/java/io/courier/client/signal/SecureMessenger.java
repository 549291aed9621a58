package io.courier.client.signal;

import io.courier.client.AccountApi;
import io.courier.client.ClientListener;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.CourierException;
import io.courier.client.IncomingMessage;
import io.courier.client.OutgoingEnvelope;
import io.courier.client.Receipt;
import io.courier.client.ServerWeb;
import io.courier.client.Sent;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.client.TokenSource;
import io.courier.client.UuidV7;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.signal.libsignal.protocol.DuplicateMessageException;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.util.KeyHelper;

/**
 * End-to-end encrypted messaging for one Device, on top of a {@link CourierClient}: the Signal protocol (PQXDH and
 * the double ratchet, from libsignal) between every pair of Devices, so the server only ever stores ciphertext.
 *
 * <p>It owns the Device's {@link FileSignalStore}, its {@link CourierClient} (built with the messenger's own
 * listener), and HTTP clients for the key directory and the Device endpoints.
 *
 * <p><b>Sending</b> ({@link #send}): one message id for the whole message; one Envelope per Device of the recipient
 * and one {@code sync} copy per other Device of this Account, each encrypted in its own session, with the
 * registration id the session was made for. Devices without a session get one from a PreKey bundle
 * ({@code GET /v1/keys/...}): all Devices of a new contact; for this Account, the Devices that
 * the server names as {@code missing} (a send always carries {@code sync}, empty when no other Device is known). On
 * {@code MISMATCHED_DEVICES} the sessions of {@code extra} Devices are dropped and bundles of {@code missing} ones
 * fetched; on {@code STALE_DEVICES} the stale sessions are dropped and new bundles fetched; then everything is
 * encrypted again and sent with the same message id, at most {@value #MAX_DEVICE_SET_RETRIES} times. Sends are
 * prepared one at a time, in call order, and handed to the transport in that order.
 *
 * <p><b>Identity.</b> One identity key per Account (see {@link FileSignalStore}). A bundle whose identity key is not
 * the accepted one for its Account calls {@link MessengerListener#onIdentityChanged} before anything is sent, and the
 * send fails with {@value #IDENTITY_CHANGED} until {@link #trust(String)} (unless
 * {@link MessengerOptions#refuseChangedIdentities()} is off). A received session start with a new identity key is
 * decrypted and shown, reported the same way, and blocks later sends to that Account likewise.
 *
 * <p><b>Receiving.</b> Each {@code message} frame is decrypted on arrival and handed to
 * {@link MessengerListener#onMessage} as a {@link DecryptedMessage}. Repeats by (from, id) are dropped by the
 * transport within a run, and across restarts by the {@link SeenMessages} kept in the store's folder. A message
 * that cannot be decrypted or read goes to {@link MessengerListener#onUndecryptable} (once) and is acked all the
 * same. After each session start (a PreKey message), and after each (re)connect, the one-time PreKeys are topped
 * up.
 *
 * <p><b>Payloads.</b> The ciphertext of an Envelope is a type byte and libsignal's message ({@link WireCiphertext});
 * inside is a versioned, padded {@link MessagePayload} holding the app's bytes and, for sync copies, the
 * conversation.
 *
 * <p><b>Threading.</b> Everything runs on one Vert.x context (the one {@link #open} creates); public methods hop
 * onto it and their futures complete there. {@link #trust}, {@link #safetyNumber} and the accessors may be called
 * from any thread.
 *
 * @implNote Limits of the guarantees:
 *     <ul>
 *       <li>Decryption advances the ratchet at once: a message decrypted and then lost (the app threw, then the
 *           process died before the redelivery) cannot be decrypted again. Within one process the decrypted
 *           message is kept until the app takes it.</li>
 *       <li>A message that fails after it was encrypted (a refusal other than the device set, or
 *           {@code CLIENT_CLOSED}) has advanced the sessions; that is harmless, the recipients skip the gap.</li>
 *       <li>Nothing asks an undecryptable message's sender to resend, and a broken session is not reset by itself:
 *           it heals when either side starts a new one (a re-registration).</li>
 *       <li>Store writes (small, forced to disk) run on the context's event loop.</li>
 *     </ul>
 */
public final class SecureMessenger {

  /** The code of a send refused because a Device of the recipient (or of this Account) has a changed identity. */
  public static final String IDENTITY_CHANGED = "IDENTITY_CHANGED";

  /** The code of a link whose provisioning blob is missing, or does not open with the typed secret. */
  public static final String PROVISIONING_INVALID = "PROVISIONING_INVALID";

  /** How many times one send is re-encrypted and resent after {@code MISMATCHED_DEVICES} / {@code STALE_DEVICES}. */
  static final int MAX_DEVICE_SET_RETRIES = 3;

  private static final System.Logger LOG = System.getLogger(SecureMessenger.class.getName());

  /** A send handed to the transport: its answer, awaited outside the send queue. */
  private record Attempt(Future<Sent> answer) {
  }

  private final Context context;
  private final MessengerOptions options;
  private final MessengerListener listener;
  private final String account;
  private final int device;
  private final FileSignalStore store;
  private final SeenMessages seen;
  private final DeviceCrypto crypto;
  private final WebClient web;
  private final BearerWeb bearer;
  private final AccountApi accounts;
  private final KeysApi keys;
  private final DevicesApi devices;
  private final DeviceKeys deviceKeys;
  private final CourierClient client;

  /** Accounts with a changed identity not trusted yet: account → the new key. */
  private final Map<String, IdentityKey> pendingIdentities = new ConcurrentHashMap<>();
  /** Decrypted messages the app threw on: "from\nid" → message, handed over again on redelivery. */
  private final Map<String, DecryptedMessage> awaitingApp = new HashMap<>();
  /** The tail of the send queue: completes when the last queued send was handed to the transport. */
  private Future<Void> sendQueue = Future.succeededFuture();

  /** What {@link #open} reads from the Device's folder. */
  private record Stored(FileSignalStore store, SeenMessages seen) {
  }

  private SecureMessenger(Vertx vertx, Context context, MessengerOptions options, Stored stored) {
    this.context = context;
    this.options = options;
    this.listener = options.listener();
    this.store = stored.store();
    this.seen = stored.seen();
    this.account = store.account();
    this.device = store.device();
    this.crypto = new DeviceCrypto(store);
    this.web = ServerWeb.create(vertx);
    this.accounts = options.tokens() == null ? new AccountApi(vertx, options.server()) : null;
    TokenSource tokens = new SharedTokenSource(options.tokens() != null ? options.tokens()
        : new SessionTokenSource(accounts, options.session()));
    this.bearer = new BearerWeb(web, options.server(), tokens);
    this.keys = new KeysApi(bearer);
    this.devices = new DevicesApi(bearer);
    this.deviceKeys = new DeviceKeys(vertx, store, keys);
    // built on this context, so the client's handlers and futures run here too
    this.client = new CourierClient(vertx, ClientOptions.create(options.server(), tokens)
        .withListener(new Receiver())
        .withBackoff(options.backoffBase(), options.backoffMax()));
  }

  /**
   * Opens the messenger of the Device in {@code options.session()}: opens its store, or creates one with a new
   * identity key pair and registration id (a first Device, or a re-registration by log-in), uploads its keys if they
   * are not in the directory yet, connects, and tops up the one-time keys.
   *
   * @return completes once connected; fails (and releases everything) if the keys cannot be uploaded or the client
   *     stops before it connects
   */
  public static Future<SecureMessenger> open(Vertx vertx, MessengerOptions options) {
    Context context = vertx.getOrCreateContext();
    Promise<SecureMessenger> opened = Promise.promise();
    context.runOnContext(ignored -> openOnContext(vertx, context, options).onComplete(opened));
    return opened.future();
  }

  private static Future<SecureMessenger> openOnContext(Vertx vertx, Context context, MessengerOptions options) {
    return vertx.executeBlocking(() -> openOrCreateStore(options.storeRoot(), options.session()))
        .map(stored -> new SecureMessenger(vertx, context, options, stored))
        .compose(SecureMessenger::start);
  }

  private static Stored openOrCreateStore(Path storeRoot, Session session) {
    Path dir = FileSignalStore.deviceDir(storeRoot, session.account(), session.device());
    FileSignalStore store;
    if (FileSignalStore.exists(dir)) {
      store = FileSignalStore.open(dir);
      if (!store.account().equals(session.account()) || store.device() != session.device()) {
        throw new IllegalStateException(dir + " holds the store of " + store.account() + "." + store.device());
      }
    } else {
      store = FileSignalStore.create(dir, session.account(), session.device(), IdentityKeyPair.generate(),
          KeyHelper.generateRegistrationId(false));
    }
    return new Stored(store, SeenMessages.open(dir, SeenMessages.DEFAULT_CAPACITY));
  }

  private Future<SecureMessenger> start() {
    return deviceKeys.ensureUploaded()
        .compose(ignored -> client.connect())
        .compose(ignored -> topUpQuietly())
        .map(this)
        .recover(this::closeAfter);
  }

  private Future<SecureMessenger> closeAfter(Throwable failure) {
    return close().transform(ignored -> Future.failedFuture(failure));
  }

  /**
   * Links a new Device with the text an existing Device showed ({@link #offerLink()}): creates the Device
   * ({@code POST /v1/devices/link}), opens the provisioning blob with the typed secret, creates the Device's store
   * with the Account's identity, and uploads its keys. Then {@link #open} it with the returned session.
   *
   * @param typedText {@code <code>#<secret>} as the user typed it
   * @param storeRoot the new Device's data folder (see {@link MessengerOptions#storeRoot()})
   * @return the new Device's session; fails with {@code LINK_CODE_INVALID} (and the other codes of the endpoint), or
   *     {@value #PROVISIONING_INVALID} when the blob is missing, does not open, or names another Account
   */
  public static Future<Session> link(Vertx vertx, URI server, String typedText, String deviceName, Path storeRoot) {
    Provisioning.Typed typed;
    try {
      typed = Provisioning.parse(typedText);
    } catch (IllegalArgumentException unreadable) {
      return Future.failedFuture(refusal(PROVISIONING_INVALID, unreadable.getMessage()));
    }
    WebClient web = ServerWeb.create(vertx);
    return DevicesApi.link(new BearerWeb(web, server, null), typed.code(), deviceName)
        .compose(linked -> provision(vertx, web, server, storeRoot, typed.secret(), linked))
        .eventually(() -> closeWeb(web));
  }

  private static Future<Session> provision(Vertx vertx, WebClient web, URI server, Path storeRoot, byte[] secret,
      DevicesApi.Linked linked) {
    Session session = linked.session();
    BearerWeb asNewDevice = new BearerWeb(web, server, TokenSource.fixed(session.accessToken()));
    Provisioning.Contents contents;
    try {
      contents = Provisioning.open(secret, Objects.requireNonNull(linked.provisioning(), "no provisioning blob"));
    } catch (IllegalArgumentException | NullPointerException unopened) {
      return unlinkThenFail(asNewDevice, session, unopened.getMessage());
    }
    if (!session.account().equals(contents.account())) {
      return unlinkThenFail(asNewDevice, session, "the blob is for " + contents.account() + ", the device was "
          + "linked to " + session.account());
    }
    Path dir = FileSignalStore.deviceDir(storeRoot, session.account(), session.device());
    return vertx.executeBlocking(() -> FileSignalStore.create(dir, session.account(), session.device(),
            contents.identity(), KeyHelper.generateRegistrationId(false)))
        .compose(store -> new DeviceKeys(vertx, store, new KeysApi(asNewDevice)).ensureUploaded())
        .map(session);
  }

  /** The server made the Device before the blob could be checked: remove it again, then fail. */
  private static Future<Session> unlinkThenFail(BearerWeb asNewDevice, Session session, String why) {
    CourierException refused = refusal(PROVISIONING_INVALID, why);
    return new DevicesApi(asNewDevice).unlink(session.device())
        .transform(ignored -> Future.failedFuture(refused));
  }

  private static Future<Void> closeWeb(WebClient web) {
    web.close();
    return Future.succeededFuture();
  }

  // ---------------------------------------------------------------- public API

  /** The Account of this Device. */
  public String account() {
    return account;
  }

  /** This Device's number. */
  public int device() {
    return device;
  }

  /** This Device's identity key (the Account's, for linked Devices). */
  public IdentityKey identityKey() {
    return store.getIdentityKeyPair().getPublicKey();
  }

  /** The Vert.x this messenger runs on. */
  public Vertx vertx() {
    return context.owner();
  }

  /**
   * Authenticated calls to the server's REST API as this Device, sharing the messenger's tokens (and their
   * refresh), for features built on the messenger such as attachments ({@code io.courier.client.media}). It stops
   * working when the messenger is closed.
   */
  public BearerWeb api() {
    return bearer;
  }

  /** The Device's store, for inspection; changing it while the messenger runs is not supported. */
  public FileSignalStore store() {
    return store;
  }

  /** Whether the transport's socket is open right now. */
  public boolean isConnected() {
    return client.isConnected();
  }

  /**
   * Encrypts {@code message} for every Device of {@code to} and for this Account's other Devices, and sends it with
   * a new UUIDv7 message id ({@code to} may be this Account: a note to self, for the other Devices).
   *
   * @param message the app's bytes (copied); any format, padded to a multiple of 160 bytes inside the ciphertext
   * @return the server's {@code sent} answer; fails with {@value #IDENTITY_CHANGED}, with the last
   *     {@code MISMATCHED_DEVICES} / {@code STALE_DEVICES} after {@value #MAX_DEVICE_SET_RETRIES} resends, or with
   *     the server's or transport's other codes ({@code UNKNOWN_ACCOUNT}, {@code NO_KEYS}, {@code CLIENT_CLOSED} ...)
   */
  public Future<Sent> send(String to, byte[] message) {
    if (to == null || !FileSignalStore.ACCOUNT_ID.matcher(to).matches()) {
      return Future.failedFuture(refusal("INVALID_FIELD", "not an account id: " + to));
    }
    String id = UuidV7.next();
    byte[] body = message.clone();
    return onContext(() -> attempt(id, to, body, 0));
  }

  /** Tells {@code sender} that the user read these messages (passed to {@link CourierClient#markRead}). */
  public Future<Void> markRead(String sender, List<String> messageIds) {
    return client.markRead(sender, messageIds);
  }

  /**
   * Accepts the identity keys {@code account} presents now (the changed one reported to
   * {@link MessengerListener#onIdentityChanged}, and those seen on its Devices), so sends to it work again; the
   * changed key becomes the one safety numbers are computed with.
   */
  public void trust(String account) {
    for (IdentityKey seen : store.seenIdentities(account)) {
      if (!store.isAccepted(account, seen)) {
        store.acceptIdentity(account, seen);
      }
    }
    IdentityKey pending = pendingIdentities.remove(account);
    if (pending != null) {
      store.acceptIdentity(account, pending);
    }
  }

  /**
   * The safety number of this Account and {@code contact} (12 groups of 5 digits), with the contact's current
   * accepted identity; the contact's Device shows the same number.
   *
   * @throws IllegalStateException when no identity of {@code contact} is known yet (no message was exchanged)
   */
  public String safetyNumber(String contact) {
    IdentityKey theirs = store.currentIdentity(contact);
    if (theirs == null) {
      throw new IllegalStateException("no identity of " + contact + " is known yet");
    }
    return SafetyNumbers.of(account, identityKey(), contact, theirs);
  }

  /**
   * Offers to link a new Device: makes a secret, seals the Account's identity key pair with it
   * ({@link Provisioning}), and asks the server for a link code carrying the sealed blob.
   *
   * @return the code and the text to show the user ({@code <code>#<secret>}), valid for 5 minutes
   */
  public Future<LinkOffer> offerLink() {
    byte[] secret = Provisioning.newSecret();
    byte[] blob = Provisioning.seal(secret, account, store.getIdentityKeyPair());
    return devices.createLinkCode(blob)
        .map(code -> new LinkOffer(code.code(), Provisioning.typedText(code.code(), secret), code.expiresIn()));
  }

  /** This Account's Devices ({@code GET /v1/devices}). */
  public Future<List<DevicesApi.DeviceInfo>> devices() {
    return devices.list();
  }

  /** Unlinks a Device of this Account ({@code DELETE /v1/devices/{device}}); this one too, which stops the client. */
  public Future<Void> unlinkDevice(int device) {
    return devices.unlink(device);
  }

  /**
   * Re-registers this Device, as a reinstall does: a new registration id and new PreKeys, every session dropped,
   * and, with {@code newIdentity}, a new identity key pair for this Device (contacts get
   * {@link MessengerListener#onIdentityChanged}). Senders holding the old registration id then get
   * {@code STALE_DEVICES} and fetch the new keys.
   */
  public Future<Void> reRegister(boolean newIdentity) {
    return onContext(() -> reRegisterOnContext(newIdentity));
  }

  /** Closes the transport (see {@link CourierClient#close()}) and the HTTP clients. */
  public Future<Void> close() {
    return onContext(() -> client.close().eventually(this::closeHttp));
  }

  private Future<Void> closeHttp() {
    web.close();
    if (accounts != null) {
      accounts.close();
    }
    return Future.succeededFuture();
  }

  private Future<Void> reRegisterOnContext(boolean newIdentity) {
    IdentityKeyPair identity = newIdentity ? IdentityKeyPair.generate() : store.getIdentityKeyPair();
    int registrationId = store.getLocalRegistrationId();
    while (registrationId == store.getLocalRegistrationId()) {
      registrationId = KeyHelper.generateRegistrationId(false);
    }
    store.replaceLocalIdentity(identity, registrationId);
    return deviceKeys.ensureUploaded().compose(ignored -> deviceKeys.topUp());
  }

  // ---------------------------------------------------------------- sending

  private Future<Sent> attempt(String id, String to, byte[] body, int retries) {
    return serially(() -> prepareAndSend(id, to, body))
        .compose(Attempt::answer)
        .recover(failure -> afterRefusal(failure, id, to, body, retries));
  }

  /** Runs {@code step} after every earlier queued step has handed its send to the transport. */
  private Future<Attempt> serially(Supplier<Future<Attempt>> step) {
    Future<Attempt> attempt = sendQueue.transform(ignored -> step.get());
    sendQueue = attempt.transform(ignored -> Future.succeededFuture());
    return attempt;
  }

  private Future<Attempt> prepareAndSend(String id, String to, byte[] body) {
    boolean toSelf = to.equals(account);
    if (pendingIdentities.containsKey(to) || pendingIdentities.containsKey(account)) {
      return Future.failedFuture(identityChanged(pendingIdentities.containsKey(to) ? to : account));
    }
    return (toSelf ? lookUpOwnDevices() : ensureSessions(to))
        .compose(ignored -> encryptAndSend(id, to, body, toSelf));
  }

  /** Starts sessions with every Device of {@code to} when there is none yet. */
  private Future<Void> ensureSessions(String to) {
    if (!store.sessionDevices(to).isEmpty()) {
      return Future.succeededFuture();
    }
    return keys.bundles(to).compose(bundles -> startSessions(to, bundles));
  }

  /**
   * For a note to self while this Device knows no other Device of its Account: asks {@code GET /v1/devices} and
   * starts sessions with those that have keys (there is no recipient to repair the set from otherwise). Messages to
   * others always carry {@code sync}, empty when there is no other Device, so the server names any own Device
   * this one does not know yet ({@code MISMATCHED_DEVICES} for this Account) and the retry adds it.
   */
  private Future<Void> lookUpOwnDevices() {
    if (!ownOtherDevices().isEmpty()) {
      return Future.succeededFuture();
    }
    return devices.list()
        .compose(list -> fetchBundles(account, otherDevicesWithKeys(list)))
        .compose(bundles -> startSessions(account, bundles));
  }

  private List<Integer> otherDevicesWithKeys(List<DevicesApi.DeviceInfo> list) {
    return list.stream().filter(info -> info.keys() && info.device() != device).map(DevicesApi.DeviceInfo::device)
        .toList();
  }

  private List<Integer> ownOtherDevices() {
    return store.sessionDevices(account).stream().filter(other -> other != device).toList();
  }

  /** Bundles of the given Devices; a Device that is gone or has no keys any more is left out. */
  private Future<List<PreKeyBundle>> fetchBundles(String owner, List<Integer> deviceIds) {
    List<Future<PreKeyBundle>> fetches = new ArrayList<>();
    for (int deviceId : deviceIds) {
      fetches.add(keys.bundle(owner, deviceId).recover(SecureMessenger::skipGoneDevice));
    }
    return Future.all(fetches).map(all -> all.<PreKeyBundle>list().stream().filter(Objects::nonNull).toList());
  }

  private static Future<PreKeyBundle> skipGoneDevice(Throwable failure) {
    if (failure instanceof CourierException refused
        && ("UNKNOWN_DEVICE".equals(refused.code()) || "NO_KEYS".equals(refused.code()))) {
      return Future.succeededFuture(null); // unlinked meanwhile: the next answer of the server says so
    }
    return Future.failedFuture(failure);
  }

  /**
   * Starts a session from each bundle whose identity is accepted. A changed identity is reported first; with
   * {@link MessengerOptions#refuseChangedIdentities()} its Device gets no session and the result fails with
   * {@value #IDENTITY_CHANGED}.
   */
  private Future<Void> startSessions(String owner, List<PreKeyBundle> bundles) {
    boolean refused = false;
    for (PreKeyBundle bundle : bundles) {
      if (owner.equals(account) && bundle.getDeviceId() == device) {
        continue;
      }
      if (!store.isAccepted(owner, bundle.getIdentityKey()) && !identityChanged(owner, bundle.getIdentityKey())) {
        refused = true;
        continue;
      }
      try {
        crypto.startSession(owner, bundle);
      } catch (InvalidKeyException | UntrustedIdentityException bad) {
        return Future.failedFuture(refusal("INVALID_KEY", "bad PreKey bundle of " + owner + "."
            + bundle.getDeviceId() + ": " + bad.getMessage()));
      }
    }
    return refused ? Future.failedFuture(identityChanged(owner)) : Future.succeededFuture();
  }

  /**
   * Reports that {@code owner} presents {@code key}; returns whether sending may go on (the notify-only option).
   * Reported once per new key.
   */
  private boolean identityChanged(String owner, IdentityKey key) {
    if (!options.refuseChangedIdentities()) {
      store.acceptIdentity(owner, key);
      notifyIdentityChanged(owner, key);
      return true;
    }
    IdentityKey before = pendingIdentities.put(owner, key);
    if (!key.equals(before)) {
      notifyIdentityChanged(owner, key);
    }
    return false;
  }

  private void notifyIdentityChanged(String owner, IdentityKey key) {
    String safetyNumber = SafetyNumbers.of(account, identityKey(), owner, key);
    callListener(() -> listener.onIdentityChanged(owner, safetyNumber));
  }

  private Future<Attempt> encryptAndSend(String id, String to, byte[] body, boolean toSelf) {
    try {
      List<Integer> recipients = toSelf ? ownOtherDevices() : store.sessionDevices(to);
      if (recipients.isEmpty()) {
        return Future.failedFuture(refusal("NO_KEYS", (toSelf ? "no other device of " : "no device of ") + to
            + " has keys"));
      }
      byte[] payload = toSelf ? MessagePayload.sync(to, body) : MessagePayload.direct(body);
      List<OutgoingEnvelope> envelopes = encryptAll(to, recipients, payload);
      // "sync" is always there (maybe empty), so the server checks this Account's device set too
      List<OutgoingEnvelope> sync = toSelf ? null : encryptAll(account, ownOtherDevices(),
          MessagePayload.sync(to, body));
      return Future.succeededFuture(new Attempt(client.send(id, to, envelopes, sync)));
    } catch (CourierException refused) {
      return Future.failedFuture(refused);
    } catch (NoSessionException | RuntimeException failed) {
      return Future.failedFuture(refusal("INTERNAL", "cannot encrypt: " + failed));
    }
  }

  /**
   * Encrypts {@code payload} for each Device. A session whose identity is not accepted (a contact's session start
   * received with a changed key, reported then, or not yet after a restart) fails with {@value #IDENTITY_CHANGED}.
   */
  private List<OutgoingEnvelope> encryptAll(String owner, List<Integer> deviceIds, byte[] payload)
      throws NoSessionException {
    List<OutgoingEnvelope> envelopes = new ArrayList<>();
    for (int deviceId : deviceIds) {
      try {
        envelopes.add(crypto.encrypt(owner, deviceId, payload));
      } catch (UntrustedIdentityException untrusted) {
        IdentityKey key = store.loadSession(new SignalProtocolAddress(owner, deviceId)).getRemoteIdentityKey();
        if (key != null) {
          identityChanged(owner, key);
        }
        throw identityChanged(owner);
      }
    }
    return envelopes;
  }

  private Future<Sent> afterRefusal(Throwable failure, String id, String to, byte[] body, int retries) {
    if (!(failure instanceof CourierException refused) || retries >= MAX_DEVICE_SET_RETRIES
        || !("MISMATCHED_DEVICES".equals(refused.code()) || "STALE_DEVICES".equals(refused.code()))) {
      return Future.failedFuture(failure);
    }
    String owner = refused.account() != null ? refused.account() : to;
    LOG.log(Level.DEBUG, "{0} for {1}: missing {2}, extra {3}, stale {4}; resending {5}", refused.code(), owner,
        refused.missing(), refused.extra(), refused.stale(), id);
    return fixDeviceSet(owner, refused).compose(ignored -> attempt(id, to, body, retries + 1));
  }

  /** Drops the sessions of extra and stale Devices, then starts sessions with the missing and stale ones. */
  private Future<Void> fixDeviceSet(String owner, CourierException refused) {
    for (int gone : refused.extra()) {
      store.deleteSession(new SignalProtocolAddress(owner, gone));
    }
    for (int stale : refused.stale()) {
      store.deleteSession(new SignalProtocolAddress(owner, stale));
    }
    Set<Integer> fetch = new TreeSet<>(refused.missing());
    fetch.addAll(refused.stale());
    if (owner.equals(account)) {
      fetch.remove(device);
    }
    return fetchBundles(owner, List.copyOf(fetch)).compose(bundles -> startSessions(owner, bundles));
  }

  // ---------------------------------------------------------------- receiving

  /** Handles one new {@code message} frame; must run on the context. Throws only when the app threw. */
  private void onIncoming(IncomingMessage message) {
    if (seen.contains(message.from(), message.id())) {
      return; // handled before a restart, the ack was lost: ack it again
    }
    String key = message.from() + "\n" + message.id();
    DecryptedMessage decrypted = awaitingApp.get(key);
    if (decrypted == null) {
      decrypted = decryptOrReport(message);
      if (decrypted == null) {
        rememberSeen(message);
        return; // reported as undecryptable: ack it
      }
    }
    try {
      listener.onMessage(decrypted);
    } catch (RuntimeException | AssertionError notStored) {
      awaitingApp.put(key, decrypted);
      throw notStored;
    }
    awaitingApp.remove(key);
    rememberSeen(message);
  }

  /** Records a handled message; a failed write is only logged, since the app has the message (or its report). */
  private void rememberSeen(IncomingMessage message) {
    try {
      seen.add(message.from(), message.id());
    } catch (UncheckedIOException notWritten) {
      LOG.log(Level.WARNING, "cannot record message " + message.id() + " as seen", notWritten);
    }
  }

  /** The decrypted message, or null when it was reported as undecryptable. */
  private DecryptedMessage decryptOrReport(IncomingMessage message) {
    String from = message.from();
    DeviceCrypto.Decrypted decrypted;
    MessagePayload.Decoded payload;
    try {
      FileSignalStore.requireAccountId(from);
      decrypted = crypto.decrypt(from, message.fromDevice(), message.ciphertext());
      payload = MessagePayload.decode(decrypted.payload());
    } catch (UncheckedIOException storeFailed) {
      throw storeFailed; // not acked: the message comes again on a later connection
    } catch (DuplicateMessageException repeat) {
      // not in the seen messages: decrypted before, but the app never took it (see the class comment)
      reportUndecryptable(message, "already decrypted once (a repeat the app never took)");
      return null;
    } catch (Exception unreadable) { // libsignal's checked exceptions and bad payloads alike: report, then ack
      reportUndecryptable(message, unreadable.getClass().getSimpleName() + ": " + unreadable.getMessage());
      return null;
    }
    if (decrypted.preKeyIdentity() != null) {
      afterSessionStart(from, decrypted.preKeyIdentity());
    }
    if (payload.conversation() != null && !from.equals(account)) {
      reportUndecryptable(message, "a sync copy from another account");
      return null;
    }
    if (message.to() != null && !message.to().equals(payload.conversation())) {
      LOG.log(Level.WARNING, "the server named conversation {0} for {1}, the payload {2}", message.to(),
          message.id(), payload.conversation());
    }
    return new DecryptedMessage(from, message.fromDevice(), message.id(), message.at(), payload.body(),
        payload.conversation());
  }

  /** After a PreKey message: report a changed identity, and top up the one-time key it used. */
  private void afterSessionStart(String from, IdentityKey identity) {
    if (!store.isAccepted(from, identity)) {
      identityChanged(from, identity);
    }
    topUpQuietly();
  }

  private void reportUndecryptable(IncomingMessage message, String reason) {
    LOG.log(Level.INFO, "undecryptable message {0} from {1}.{2}: {3}", message.id(), message.from(),
        message.fromDevice(), reason);
    callListener(() -> listener.onUndecryptable(message.from(), message.fromDevice(), message.id(), reason));
  }

  private Future<Void> topUpQuietly() {
    return deviceKeys.topUp().recover(SecureMessenger::logTopUpFailure);
  }

  private static Future<Void> logTopUpFailure(Throwable failure) {
    LOG.log(Level.WARNING, "could not top up the one-time PreKeys; trying again after the next session start",
        failure);
    return Future.succeededFuture();
  }

  /** The transport's listener: decrypts messages and passes the other events through. */
  private final class Receiver implements ClientListener {

    @Override
    public void onConnected() {
      topUpQuietly();
      callListener(listener::onConnected);
    }

    @Override
    public void onMessage(IncomingMessage message) {
      onIncoming(message);
    }

    @Override
    public void onReceipt(Receipt receipt) {
      listener.onReceipt(receipt);
    }

    @Override
    public void onDrained() {
      callListener(listener::onDrained);
    }

    @Override
    public void onError(String code, String message) {
      callListener(() -> listener.onError(code, message));
    }

    @Override
    public void onClosed(int code, String reason, boolean willReconnect) {
      callListener(() -> listener.onClosed(code, reason, willReconnect));
    }
  }

  // ---------------------------------------------------------------- plumbing

  private static CourierException refusal(String code, String message) {
    return new CourierException(code, 0, message, false, 0);
  }

  private static CourierException identityChanged(String owner) {
    return refusal(IDENTITY_CHANGED, "the identity key of " + owner + " changed: check the safety number, then "
        + "trust it");
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    if (Vertx.currentContext() == context) {
      return action.get();
    }
    Promise<T> result = Promise.promise();
    context.runOnContext(ignored -> action.get().onComplete(result));
    return result.future();
  }

  private static void callListener(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException | AssertionError failed) {
      LOG.log(Level.WARNING, "the messenger listener threw", failed);
    }
  }
}
