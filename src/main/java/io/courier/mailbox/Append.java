package io.courier.mailbox;

import io.courier.protocol.ClientFrame;
import io.courier.protocol.ClientFrame.OutgoingEnvelope;
import io.courier.protocol.DeviceId;
import java.util.List;

/**
 * One message's envelopes for the devices of one account, as the mailbox stores them.
 *
 * @param sender       the sending device
 * @param messageId    the client's message id (the dedup key)
 * @param account      whose device mailboxes get the envelopes: the recipient, or the sender for sync copies
 * @param envelopes    one per device of {@code account}
 * @param conversation for sync copies, the account the message was sent to; null otherwise
 * @param leftOut      a device of {@code account} that is not part of the device set (the sending device, when
 *                     {@code account} is the sender's own); 0 for none
 */
public record Append(DeviceId sender, String messageId, String account, List<OutgoingEnvelope> envelopes,
    String conversation, int leftOut) {

  /** The envelopes of {@code send} for its recipient (a message to oneself leaves the sending device out). */
  public static Append toRecipient(DeviceId sender, ClientFrame.Send send) {
    boolean toSelf = send.to().equals(sender.account());
    return new Append(sender, send.id(), send.to(), send.envelopes(), null, toSelf ? sender.device() : 0);
  }

  /** The sync copies of {@code send} for the sender's other devices. */
  public static Append syncCopies(DeviceId sender, ClientFrame.Send send) {
    return new Append(sender, send.id(), sender.account(), send.sync(), send.to(), sender.device());
  }
}
