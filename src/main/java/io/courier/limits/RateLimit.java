package io.courier.limits;

/**
 * The rate limits, each with a stable id used in its Redis key and in metrics, and the kind of subject it counts
 * for: an account ({@code limit:{u:<account>}:<id>}) or a client address ({@code limit:{a:<address>}:<id>}, see
 * {@code gateway.ClientAddresses}). Rates and bursts come from {@code limits.*} in the config (docs/PROTOCOL.md §7).
 */
public enum RateLimit {
  /**
   * {@code send} frames per account: {@code limits.sendsPerSecond}, burst {@code limits.sendBurst}. Leased: a send
   * is the hot path, so a node takes a few tokens per script call ({@link RateLimiter}).
   */
  SEND("send", true, Subject.ACCOUNT),
  /** Log-in attempts per username: {@code limits.loginsPerMinute}, burst the same. Exact. */
  LOGIN("login", false, Subject.ACCOUNT),
  /** Pre-key bundle fetches per account and target: {@code limits.bundleFetchesPerMinute}, burst the same. Exact. */
  BUNDLE_FETCH("prekeys", false, Subject.ACCOUNT),
  /** Attachment upload requests per account: {@code limits.uploadsPerMinute}, burst the same. Exact. */
  UPLOAD("uploads", false, Subject.ACCOUNT),
  /** Registration attempts per client address: {@code limits.registrationsPerMinute}, burst the same. Exact. */
  REGISTER("register", false, Subject.ADDRESS),
  /** Link-code redemptions, right or wrong, per client address: {@code limits.linkAttemptsPerMinute}. Exact. */
  LINK("link", false, Subject.ADDRESS),
  /** Link codes created per account: {@code limits.linkCodesPerMinute}, burst the same. Exact. */
  LINK_CODE("linkcodes", false, Subject.ACCOUNT),
  /**
   * Push target registrations per account: {@code limits.pushRegistrationsPerMinute}, burst the same. Exact. Each
   * Web Push registration resolves a host name, on a small pool of its own.
   */
  PUSH_TARGET("pushtargets", false, Subject.ACCOUNT);

  /** What a limit's bucket belongs to, and the hash-tag prefix of its Redis key. */
  public enum Subject {
    /** An account id: the key shares the account's slot, {@code {u:<account>}}. */
    ACCOUNT("u"),
    /** A client address as {@code ClientAddresses} gives it: its own slot, {@code {a:<address>}}. */
    ADDRESS("a");

    private final String tag;

    Subject(String tag) {
      this.tag = tag;
    }

    /** The hash-tag prefix, e.g. {@code u}. */
    public String tag() {
      return tag;
    }
  }

  private final String id;
  private final boolean leased;
  private final Subject subject;

  RateLimit(String id, boolean leased, Subject subject) {
    this.id = id;
    this.leased = leased;
    this.subject = subject;
  }

  public String id() {
    return id;
  }

  /** Whether a node may take this limit's tokens a few at a time and spend them locally (a lease). */
  public boolean leased() {
    return leased;
  }

  /** What one bucket of this limit counts for. */
  public Subject subject() {
    return subject;
  }
}
