package io.courier.protocol;

/** One device of one account: the unit that owns a mailbox and holds at most one live connection. */
public record DeviceId(String account, int device) {
  @Override
  public String toString() {
    return account + "." + device;
  }
}
