package io.courier.push;

import com.eatthepath.pushy.apns.PushNotificationResponse;
import java.util.Set;

/**
 * APNs answers as {@link PushOutcome}s (Apple's "Handling notification responses from APNs": status codes and
 * {@code reason} tokens). APNs sends no {@code Retry-After}, and Pushy would not expose it: every {@code Retry} here
 * leaves the wait to the workers' backoff.
 */
final class ApnsOutcomes {
  /**
   * Reasons that condemn the registration itself. {@code BadDeviceToken}: not a token of this environment (also a
   * sandbox token registered as production, or the reverse); {@code DeviceTokenNotForTopic}: a token of another app
   * than the registered topic, so this registration can never be delivered (the topic came with it, not from the
   * server's config); {@code ExpiredToken} and {@code Unregistered} (410): the app was removed or the token replaced.
   */
  private static final Set<String> GONE = Set.of("BadDeviceToken", "DeviceTokenNotForTopic", "ExpiredToken",
      "Unregistered");
  /**
   * 403 {@code ExpiredProviderToken}: our signed JWT aged out; Pushy signs a new one for the next request, so the
   * next attempt succeeds.
   */
  private static final String EXPIRED_PROVIDER_TOKEN = "ExpiredProviderToken";

  private ApnsOutcomes() {}

  static PushOutcome of(PushNotificationResponse<?> response) {
    if (response.isAccepted()) {
      return new PushOutcome.Accepted();
    }
    int status = response.getStatusCode();
    String reason = response.getRejectionReason().orElse(String.valueOf(status));
    if (status == 410 || GONE.contains(reason)) {
      return new PushOutcome.Gone(reason);
    }
    if (status == 429 || status >= 500 || EXPIRED_PROVIDER_TOKEN.equals(reason)) {
      return new PushOutcome.Retry(null, reason);
    }
    // BadTopic, TopicDisallowed, PayloadTooLarge, InvalidProviderToken, MissingProviderToken, BadPriority ...:
    // our request or credential is wrong; resending it would be refused again
    return new PushOutcome.Failed(reason);
  }

  /** The send failed before APNs answered (connect, TLS, a stream reset, the client closing): try again. */
  static PushOutcome ofFailure(Throwable failure) {
    return new PushOutcome.Retry(null, "network");
  }
}
