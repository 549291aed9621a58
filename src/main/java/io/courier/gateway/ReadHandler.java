package io.courier.gateway;

import io.courier.mailbox.Mailbox;
import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.vertx.core.Future;
import java.util.List;

/**
 * {@code read}: {@code {"type":"read","id":<request id>,"sender":<account>,"messages":[<message id>...]}}.
 *
 * <p>Keeps the ids that name messages from {@code sender} stored for the reader's account and not read yet
 * ({@link Mailbox#findUnread}), appends one {@code read} receipt for those to every mailbox of {@code sender},
 * forgets them as unread, and answers {@code ok}. Other ids (made up, sent to someone else, already read, or
 * expired) are dropped without a word: a receipt vouches for what the reader was sent, and the answer does not
 * tell a prober which ids exist. Errors: {@code UNKNOWN_ACCOUNT} (the sender has no devices left),
 * {@code UNAVAILABLE}. A repeat after the receipt is stored sends nothing more.
 */
final class ReadHandler {
  private final Mailbox mailbox;
  private final ReceiptSender receipts;

  ReadHandler(Mailbox mailbox, ReceiptSender receipts) {
    this.mailbox = mailbox;
    this.receipts = receipts;
  }

  Future<ServerFrame> handle(DeviceId reader, ClientFrame.Read read) {
    return mailbox.findUnread(reader.account(), read.sender(), read.messages())
        .compose(unread -> unread.isEmpty() ? Future.succeededFuture() : receipt(reader, read, unread))
        .map(v -> new ServerFrame.Ok(read.id()));
  }

  private Future<Void> receipt(DeviceId reader, ClientFrame.Read read, List<String> unread) {
    return receipts.send(read.sender(), ReceiptKind.READ, reader, unread)
        .compose(devices -> devices.isEmpty()
            ? Future.failedFuture(new ProtocolException(ErrorCode.UNKNOWN_ACCOUNT, "no account '" + read.sender()
                + "'"))
            // Once stored, the receipt is the record; if forgetting fails, a repeated read repeats the receipt.
            : mailbox.markRead(reader.account(), read.sender(), unread).recover(e -> Future.succeededFuture()));
  }
}
