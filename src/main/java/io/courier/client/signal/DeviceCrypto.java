package io.courier.client.signal;

import io.courier.client.OutgoingEnvelope;
import org.signal.libsignal.protocol.DuplicateMessageException;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.InvalidKeyIdException;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.InvalidVersionException;
import org.signal.libsignal.protocol.NoSessionException;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.state.SignalProtocolStore;

/**
 * One Device's Signal sessions, without any I/O of its own: starts sessions from PreKey bundles (PQXDH), encrypts a
 * payload for one remote Device into an {@link OutgoingEnvelope} (with the registration id the session was made
 * for), and decrypts a received {@link WireCiphertext}. The sessions and keys live in the given store.
 *
 * @implNote Not thread-safe as a sequence: libsignal reads and writes the store within each call, so two calls for
 *     the same remote Device must not run at the same time (the messenger makes every call on its context).
 */
final class DeviceCrypto {

  /**
   * A decrypted payload.
   *
   * @param payload the {@link MessagePayload} bytes
   * @param preKeyIdentity for a {@link PreKeySignalMessage} (a new session), the sender's identity key; else null
   */
  record Decrypted(byte[] payload, IdentityKey preKeyIdentity) {
  }

  private final SignalProtocolStore store;

  DeviceCrypto(SignalProtocolStore store) {
    this.store = store;
  }

  /** Starts (or replaces) the session with the bundle's Device of {@code account}. */
  void startSession(String account, PreKeyBundle bundle) throws InvalidKeyException, UntrustedIdentityException {
    new SessionBuilder(store, new SignalProtocolAddress(account, bundle.getDeviceId())).process(bundle);
  }

  /** Encrypts {@code payload} in the session with Device {@code device} of {@code account}. */
  OutgoingEnvelope encrypt(String account, int device, byte[] payload)
      throws NoSessionException, UntrustedIdentityException {
    SessionCipher cipher = new SessionCipher(store, new SignalProtocolAddress(account, device));
    CiphertextMessage message = cipher.encrypt(payload);
    return new OutgoingEnvelope(device, cipher.getRemoteRegistrationId(), WireCiphertext.encode(message));
  }

  /** Decrypts what Device {@code device} of {@code account} sent. */
  Decrypted decrypt(String account, int device, byte[] wire) throws InvalidMessageException,
      DuplicateMessageException, InvalidKeyIdException, InvalidKeyException, UntrustedIdentityException,
      InvalidVersionException, NoSessionException {
    SessionCipher cipher = new SessionCipher(store, new SignalProtocolAddress(account, device));
    CiphertextMessage message = WireCiphertext.decode(wire);
    if (message instanceof PreKeySignalMessage preKeyMessage) {
      return new Decrypted(cipher.decrypt(preKeyMessage), preKeyMessage.getIdentityKey());
    }
    return new Decrypted(cipher.decrypt((SignalMessage) message), null);
  }
}
