package io.courier.limits;

/**
 * The rate limits, each with a stable id used in its Redis key ({@code limit:{u:<account>}:<id>}) and in
 * metrics. Rates and bursts come from {@code limits.*} in the config (docs/PROTOCOL.md §7).
 */
public enum RateLimit {
  /** {@code send} frames per account: {@code limits.sendsPerSecond}, burst {@code limits.sendBurst}. */
  SEND("send"),
  /** Log-in attempts per username: {@code limits.loginsPerMinute}, burst the same. */
  LOGIN("login"),
  /** Pre-key bundle fetches per account and target: {@code limits.bundleFetchesPerMinute}, burst the same. */
  BUNDLE_FETCH("prekeys"),
  /** Attachment upload requests per account: {@code limits.uploadsPerMinute}, burst the same. */
  UPLOAD("uploads");

  private final String id;

  RateLimit(String id) {
    this.id = id;
  }

  public String id() {
    return id;
  }
}
