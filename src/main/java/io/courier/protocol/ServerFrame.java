package io.courier.protocol;

import java.util.List;

/** A frame the server sends; {@link FrameCodec#encode} writes it. See {@code docs/PROTOCOL.md} §4. */
public sealed interface ServerFrame {

  /** {@code sent}: the message {@code id} is durable; {@code at} is the store time in ms. */
  record Sent(String id, long at) implements ServerFrame {}

  /** A mailbox entry on its way to the device: a message or a receipt, acked by {@link #entry()}. */
  sealed interface Entry extends ServerFrame {
    /** The mailbox entry id the device acks. */
    String entry();
  }

  /**
   * {@code message}: one envelope from the device's mailbox; {@code to} is the conversation of a sync copy (a
   * message this account's other device sent), null otherwise.
   */
  record Message(String entry, String id, String from, int fromDevice, long at, String ciphertext, String to)
      implements Entry {}

  /** {@code receipt}: {@code by}'s device {@code byDevice} has {@code kind} the messages {@code ids}. */
  record Receipt(String entry, ReceiptKind kind, String by, int byDevice, List<String> ids, long at)
      implements Entry {}

  /** {@code drained}: the backlog present at connect time has been delivered. */
  record Drained() implements ServerFrame {}

  /** {@code pong}: the answer to {@code ping}. */
  record Pong(String id) implements ServerFrame {}

  /** {@code ok}: the request {@code id} succeeded. */
  record Ok(String id) implements ServerFrame {}

  /**
   * {@code error}: the request {@code id} (null if unknown) failed; {@code retryAfter} is 0 when absent;
   * {@code devices} is set for {@code MISMATCHED_DEVICES} and {@code STALE_DEVICES}, null otherwise.
   */
  record Error(String id, ErrorCode code, String message, long retryAfter, DeviceSetMismatch devices)
      implements ServerFrame {
    public Error(String id, ErrorCode code, String message, long retryAfter) {
      this(id, code, message, retryAfter, null);
    }
  }
}
