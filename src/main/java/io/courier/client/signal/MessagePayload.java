package io.courier.client.signal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The plaintext that each Signal ciphertext carries: the app's message bytes, a version, whether it is a copy for
 * the sender's other Devices, and padding that hides the exact length.
 *
 * <p>Layout (version 1), before padding:
 * <pre>
 *   byte 0      version, 0x01
 *   byte 1      kind: 0x00 a message to the recipient, 0x01 a sync copy for another Device of the sender
 *   sync only:  byte n (3..32), then n bytes: the conversation's account id in ASCII (the recipient of the original)
 *   rest        the app's message bytes (any content, possibly empty)
 * </pre>
 * then {@code 0x80} and {@code 0x00} bytes up to the next multiple of {@value #PAD_BLOCK} bytes (ISO/IEC 7816-4
 * padding, as Signal pads its content). The whole payload is encrypted, so the server sees neither the kind nor the
 * conversation; a sync copy's conversation is taken from here, not from the frame's {@code to}.
 *
 * @implNote A reader refuses another version, an unknown kind, and bad padding with {@link IllegalArgumentException};
 *     the messenger reports those messages as undecryptable. A later version may add kinds; it must keep byte 0.
 */
final class MessagePayload {

  static final int VERSION = 1;
  static final int KIND_DIRECT = 0;
  static final int KIND_SYNC = 1;

  /** Payloads are padded to a multiple of this many bytes. */
  static final int PAD_BLOCK = 160;

  /** A read payload: the app's bytes and, for a sync copy, the conversation (else null). */
  record Decoded(byte[] body, String conversation) {
  }

  private MessagePayload() {
  }

  /** A message for the recipient's Devices. */
  static byte[] direct(byte[] body) {
    return pad(header(KIND_DIRECT, null), body);
  }

  /** A copy for the sender's other Devices of a message sent to {@code conversation}. */
  static byte[] sync(String conversation, byte[] body) {
    return pad(header(KIND_SYNC, conversation), body);
  }

  /** Reads a payload; throws {@link IllegalArgumentException} when it is not a version 1 payload. */
  static Decoded decode(byte[] padded) {
    int end = unpaddedLength(padded);
    if (end < 2 || padded[0] != VERSION) {
      throw new IllegalArgumentException("not a version " + VERSION + " payload");
    }
    int kind = padded[1];
    if (kind == KIND_DIRECT) {
      return new Decoded(Arrays.copyOfRange(padded, 2, end), null);
    }
    if (kind != KIND_SYNC) {
      throw new IllegalArgumentException("unknown payload kind " + kind);
    }
    int length = end > 2 ? padded[2] & 0xFF : -1;
    if (length < 3 || 3 + length > end) {
      throw new IllegalArgumentException("bad conversation in a sync payload");
    }
    String conversation = new String(padded, 3, length, StandardCharsets.US_ASCII);
    if (!FileSignalStore.ACCOUNT_ID.matcher(conversation).matches()) {
      throw new IllegalArgumentException("bad conversation in a sync payload");
    }
    return new Decoded(Arrays.copyOfRange(padded, 3 + length, end), conversation);
  }

  private static byte[] header(int kind, String conversation) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(VERSION);
    out.write(kind);
    if (conversation != null) {
      FileSignalStore.requireAccountId(conversation);
      byte[] name = conversation.getBytes(StandardCharsets.US_ASCII);
      out.write(name.length);
      out.writeBytes(name);
    }
    return out.toByteArray();
  }

  private static byte[] pad(byte[] header, byte[] body) {
    Objects.requireNonNull(body, "body");
    int unpadded = header.length + body.length + 1;
    int total = (unpadded + PAD_BLOCK - 1) / PAD_BLOCK * PAD_BLOCK;
    byte[] padded = new byte[total];
    System.arraycopy(header, 0, padded, 0, header.length);
    System.arraycopy(body, 0, padded, header.length, body.length);
    padded[header.length + body.length] = (byte) 0x80;
    return padded;
  }

  private static int unpaddedLength(byte[] padded) {
    int i = padded.length - 1;
    while (i >= 0 && padded[i] == 0) {
      i--;
    }
    if (i < 0 || padded[i] != (byte) 0x80) {
      throw new IllegalArgumentException("bad payload padding");
    }
    return i;
  }
}
