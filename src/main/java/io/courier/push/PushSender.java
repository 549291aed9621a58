package io.courier.push;

import io.vertx.core.Future;

/**
 * Sends one content-free wake-up to a target of one kind (APNs, FCM, Web Push). Implementations name their
 * technology ({@code ApnsSender}, {@code FcmSender}, {@code WebPushSender}); the payload is {@link WakeUp}'s.
 *
 * <p>The future always succeeds with an outcome for answers of the push service and for network failures; it
 * fails only for a bug. Implementations never log a token or an endpoint in full.
 */
public interface PushSender {

  /** The kind of target this sender takes ({@link PushTarget#kind()}). */
  String kind();

  /** Sends one wake-up to {@code target}. */
  Future<PushOutcome> send(PushTarget target);

  /** Releases the sender's connections. */
  Future<Void> close();
}
