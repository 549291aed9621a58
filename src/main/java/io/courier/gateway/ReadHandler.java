package io.courier.gateway;

import io.courier.protocol.ClientFrame;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.vertx.core.Future;

/**
 * {@code read}: {@code {"type":"read","id":<request id>,"sender":<account>,"messages":[<message id>...]}}.
 *
 * <p>Appends one {@code read} receipt to every mailbox of {@code sender} and answers {@code ok}. Errors:
 * {@code UNKNOWN_ACCOUNT} (the sender has no devices), {@code UNAVAILABLE}. Repeating it repeats the receipt,
 * which clients apply idempotently.
 */
final class ReadHandler {
  private final ReceiptSender receipts;

  ReadHandler(ReceiptSender receipts) {
    this.receipts = receipts;
  }

  Future<ServerFrame> handle(DeviceId reader, ClientFrame.Read read) {
    return receipts.send(read.sender(), ReceiptKind.READ, reader, read.messages())
        .map(devices -> {
          if (devices.isEmpty()) {
            throw new ProtocolException(ErrorCode.UNKNOWN_ACCOUNT, "no account '" + read.sender() + "'");
          }
          return new ServerFrame.Ok(read.id());
        });
  }
}
