package io.courier.client;

import java.util.Objects;

/**
 * One ciphertext of a {@code send} for one device (PROTOCOL.md §3): an entry of {@code envelopes} (a recipient
 * device) or of {@code sync} (another device of the sender).
 *
 * @param device the device number, from 1
 * @param registrationId the registration id the ciphertext was made for (1 to 16,380), or {@link #NO_REGISTRATION_ID}
 *     to leave the field out; the server answers {@code STALE_DEVICES} when it is not the device's current one
 * @param ciphertext the opaque ciphertext; it is encoded when the frame is built, so the array may be reused after
 *     {@link CourierClient#send(String, String, java.util.List, java.util.List)} returns
 */
public record OutgoingEnvelope(int device, int registrationId, byte[] ciphertext) {

  /** The {@link #registrationId()} that leaves the field out of the frame. */
  public static final int NO_REGISTRATION_ID = 0;

  public OutgoingEnvelope {
    Objects.requireNonNull(ciphertext, "ciphertext");
    if (device < 1) {
      throw new IllegalArgumentException("device must be at least 1: " + device);
    }
    if (registrationId < 0) {
      throw new IllegalArgumentException("registrationId must not be negative: " + registrationId);
    }
  }

  /** An envelope without a registration id. */
  public static OutgoingEnvelope of(int device, byte[] ciphertext) {
    return new OutgoingEnvelope(device, NO_REGISTRATION_ID, ciphertext);
  }
}
