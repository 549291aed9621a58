package io.courier.limits;

/**
 * The rate limits, each with a stable id used in its Redis key ({@code limit:{u:<account>}:<id>}) and in
 * metrics. Rates and bursts come from {@code limits.*} in the config (docs/PROTOCOL.md §7).
 */
public enum RateLimit {
  /**
   * {@code send} frames per account: {@code limits.sendsPerSecond}, burst {@code limits.sendBurst}. Leased: a send
   * is the hot path, so a node takes a few tokens per script call ({@link RateLimiter}).
   */
  SEND("send", true),
  /** Log-in attempts per username: {@code limits.loginsPerMinute}, burst the same. Exact. */
  LOGIN("login", false),
  /** Pre-key bundle fetches per account and target: {@code limits.bundleFetchesPerMinute}, burst the same. Exact. */
  BUNDLE_FETCH("prekeys", false),
  /** Attachment upload requests per account: {@code limits.uploadsPerMinute}, burst the same. Exact. */
  UPLOAD("uploads", false);

  private final String id;
  private final boolean leased;

  RateLimit(String id, boolean leased) {
    this.id = id;
    this.leased = leased;
  }

  public String id() {
    return id;
  }

  /** Whether a node may take this limit's tokens a few at a time and spend them locally (a lease). */
  public boolean leased() {
    return leased;
  }
}
