package io.courier.push;

import java.time.Duration;

/** What a push service answered to one wake-up, as the push workers act on it. */
public sealed interface PushOutcome {

  /** Accepted by the push service (not necessarily delivered to the device yet). */
  record Accepted() implements PushOutcome {}

  /**
   * A temporary refusal or failure (5xx, 429, a network error): try again.
   *
   * @param after  the wait the service asked for ({@code Retry-After}), or null for the workers' own backoff
   * @param reason a short token for metrics and logs ({@code 429}, {@code 503}, {@code timeout} ...)
   */
  record Retry(Duration after, String reason) implements PushOutcome {}

  /**
   * The target is gone for good (APNs 410 {@code Unregistered}, {@code BadDeviceToken}, {@code ExpiredToken}; FCM
   * {@code UNREGISTERED}, token {@code INVALID_ARGUMENT}; Web Push 404 or 410): its registration is removed.
   *
   * @param reason a short token for metrics and logs
   */
  record Gone(String reason) implements PushOutcome {}

  /**
   * Refused for a reason that retrying will not fix and that is not the target's (a bad provider credential, a
   * payload refused): counted and logged, the wake-up dropped.
   *
   * @param reason a short token for metrics and logs
   */
  record Failed(String reason) implements PushOutcome {}
}
