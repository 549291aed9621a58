package io.courier.push;

import io.courier.protocol.DeviceId;
import io.vertx.core.Future;

/** The registered push targets, as the push workers need them: remove one that its push service refused for good. */
public interface PushTargets {

  /**
   * Removes {@code device}'s registration if it is still {@code target} (the device may have registered a new one
   * since the push service refused the old one), with its token index.
   *
   * @return whether it was removed
   */
  Future<Boolean> removeIfStill(DeviceId device, PushTarget target);
}
