package io.courier.push;

import io.courier.protocol.DeviceId;
import io.vertx.core.Future;
import java.util.Optional;

/** The registered push targets, as the push workers need them: find one, and remove one the push service refused. */
public interface PushTargets {

  /** {@code device}'s target, empty when it has none (or one of a kind this server cannot read). */
  Future<Optional<PushTarget>> find(DeviceId device);

  /**
   * Removes {@code device}'s registration if it is still {@code target} (the device may have registered a new one
   * since the push service refused the old one).
   */
  Future<Void> removeIfStill(DeviceId device, PushTarget target);
}
