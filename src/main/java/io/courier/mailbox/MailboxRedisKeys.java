package io.courier.mailbox;

import io.courier.protocol.DeviceId;

/**
 * Builders for the mailbox's Redis keys, all hash-tagged by the owning account ({@code {u:<account>}}).
 *
 * <ul>
 *   <li>{@code mbox:{u:A}:D}: stream; device D's mailbox. Fields per entry: {@code k} kind ({@code m} message,
 *       {@code delivered} or {@code read} receipt), {@code f} sender (or receipt author), {@code d} its device,
 *       {@code i} message id (receipts: ids separated by spaces), {@code c} base64 ciphertext (messages only),
 *       {@code t} the conversation of a sync copy (the account its sender wrote to).
 *       Entries leave by ack (XDEL) or retention (XTRIM MINID); the key expires after the retention when idle.
 *   <li>{@code dedup:{u:R}:S:I}: string; the store time (ms) answered for message I from sender S to recipient R.
 *       Expires after the dedup window.
 *   <li>{@code unread:{u:R}:S}: sorted set; ids of messages from sender S stored for R (not sync copies) that R
 *       has not sent a {@code read} receipt for, scored by store time (ms): the messages R may mark read. At most
 *       {@code mailbox.maxLength} ids (the newest); an id leaves when R reads it; the key expires after the
 *       retention without a new message.
 * </ul>
 */
public final class MailboxRedisKeys {
  private MailboxRedisKeys() {}

  public static String mailbox(DeviceId device) {
    return mailboxPrefix(device.account()) + device.device();
  }

  /** The mailbox key of any device of {@code account} is this prefix plus the device number. */
  public static String mailboxPrefix(String account) {
    return "mbox:{u:" + account + "}:";
  }

  public static String dedup(String recipient, String sender, String messageId) {
    return "dedup:{u:" + recipient + "}:" + sender + ":" + messageId;
  }

  public static String unread(String reader, String sender) {
    return "unread:{u:" + reader + "}:" + sender;
  }
}
