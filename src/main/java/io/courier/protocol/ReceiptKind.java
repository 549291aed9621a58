package io.courier.protocol;

/** The two receipts: a recipient device stored the message (double tick), or the user read it (blue tick). */
public enum ReceiptKind {
  DELIVERED("delivered"),
  READ("read");

  private final String wire;

  ReceiptKind(String wire) {
    this.wire = wire;
  }

  /** The name on the wire and in the mailbox. */
  public String wire() {
    return wire;
  }

  public static ReceiptKind fromWire(String wire) {
    return DELIVERED.wire.equals(wire) ? DELIVERED : READ;
  }
}
