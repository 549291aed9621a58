package io.courier.mailbox;

import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.vertx.core.Future;
import java.util.List;

/**
 * Per-device queues of entries (messages and receipts) waiting for the device to ack them.
 *
 * <p>Failures the client caused come back as {@link io.courier.protocol.ProtocolException}; store failures
 * as {@code UNAVAILABLE} ones, never as raw store errors.
 */
public interface Mailbox {

  /**
   * Checks that {@code append} names the account's current device set, then appends its envelopes to those
   * devices' mailboxes, all or none, idempotently by (sender, message id) within the dedup window.
   *
   * @return the store time (the same for a repeated message id), the devices written and their routes
   */
  Future<Written> append(Append append);

  /** Only the device-set checks of {@link #append}: nothing is stored. */
  Future<Void> checkDevices(Append append);

  /** Up to {@code count} entries of {@code device}'s mailbox after {@code afterEntry} (null: from the start). */
  Future<List<ServerFrame.Entry>> read(DeviceId device, String afterEntry, int count);

  /** Removes entries from {@code device}'s mailbox; ids no longer present are ignored. */
  Future<Void> ack(DeviceId device, List<String> entries);

  /**
   * Appends one receipt for {@code ids} to every mailbox of {@code sender}.
   *
   * @return the sender's devices written and their routes; none when the sender has no devices
   */
  Future<Written> appendReceipt(String sender, ReceiptKind kind, DeviceId by, List<String> ids);

  /**
   * Which of {@code ids} are messages from {@code sender} stored for {@code reader} and not read yet: the ones a
   * {@code read} receipt may name. Empty when none are.
   */
  Future<List<String>> findUnread(String reader, String sender, List<String> ids);

  /** Forgets that {@code ids} from {@code sender} are unread by {@code reader} (their read receipt is stored). */
  Future<Void> markRead(String reader, String sender, List<String> ids);

  /** Deletes {@code device}'s mailbox (the device is gone). */
  Future<Void> delete(DeviceId device);
}
