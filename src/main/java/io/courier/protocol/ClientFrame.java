package io.courier.protocol;

import java.util.List;

/**
 * A frame from a client, already validated by {@link FrameCodec#decodeClientFrame}: every field is present
 * and well-formed, and every limit of {@link ProtocolLimits} holds. See {@code docs/PROTOCOL.md} §3.
 */
public sealed interface ClientFrame {

  /** The request id echoed in the reply or error; null when the client gave none. */
  String id();

  /**
   * {@code send}: one message to {@code to}, one ciphertext per recipient device; {@code id} is the message id.
   * {@code sync} holds the copies for the sender's other devices; null when the frame had no {@code sync} (then
   * the sender's device set is not checked), possibly empty.
   */
  record Send(String id, String to, List<OutgoingEnvelope> envelopes, List<OutgoingEnvelope> sync)
      implements ClientFrame {
    /** A send without sync copies. */
    public Send(String id, String to, List<OutgoingEnvelope> envelopes) {
      this(id, to, envelopes, null);
    }
  }

  /**
   * One device's ciphertext, still base64 as on the wire (the server never decodes it further).
   *
   * @param registrationId the registration id the ciphertext was made for; 0 when the client gave none
   */
  record OutgoingEnvelope(int device, int registrationId, String ciphertext) {
    public OutgoingEnvelope(int device, String ciphertext) {
      this(device, 0, ciphertext);
    }
  }

  /** {@code ack}: entries of this connection's mailbox that the device has stored. */
  record Ack(String id, List<String> entries) implements ClientFrame {}

  /** {@code read}: the user has seen these messages of {@code sender}. */
  record Read(String id, String sender, List<String> messages) implements ClientFrame {}

  /** {@code ping}: answered with {@code pong}. */
  record Ping(String id) implements ClientFrame {}
}
