package io.courier.client.signal;

import java.util.Arrays;
import org.signal.libsignal.protocol.InvalidKeyException;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.InvalidVersionException;
import org.signal.libsignal.protocol.LegacyMessageException;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;

/**
 * The bytes of an Envelope's {@code ciphertext} as the messenger writes them: one type byte,
 * {@link CiphertextMessage#PREKEY_TYPE} (3, a {@link PreKeySignalMessage} that starts a session) or
 * {@link CiphertextMessage#WHISPER_TYPE} (2, a {@link SignalMessage} in an established session), followed by
 * libsignal's serialized message.
 */
final class WireCiphertext {

  private WireCiphertext() {
  }

  static byte[] encode(CiphertextMessage message) {
    byte[] serialized = message.serialize();
    byte[] wire = new byte[serialized.length + 1];
    wire[0] = (byte) message.getType();
    System.arraycopy(serialized, 0, wire, 1, serialized.length);
    return wire;
  }

  /**
   * Reads the message; a {@link PreKeySignalMessage} or a {@link SignalMessage}.
   *
   * @throws InvalidMessageException for an unknown type byte or a message libsignal cannot parse
   */
  static CiphertextMessage decode(byte[] wire) throws InvalidMessageException {
    if (wire.length < 2) {
      throw new InvalidMessageException("ciphertext too short");
    }
    byte[] serialized = Arrays.copyOfRange(wire, 1, wire.length);
    try {
      return switch (wire[0]) {
        case CiphertextMessage.PREKEY_TYPE -> new PreKeySignalMessage(serialized);
        case CiphertextMessage.WHISPER_TYPE -> new SignalMessage(serialized);
        default -> throw new InvalidMessageException("unknown ciphertext type " + wire[0]);
      };
    } catch (InvalidVersionException | LegacyMessageException | InvalidKeyException unreadable) {
      throw new InvalidMessageException(unreadable);
    }
  }
}
