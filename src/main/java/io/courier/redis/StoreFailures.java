package io.courier.redis;

import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Redis failures inside the package that made the call: a caller sees {@code UNAVAILABLE} (temporary)
 * and never raw Redis text. Refusals that are already {@link ProtocolException}s pass through.
 */
public final class StoreFailures {
  private static final Logger log = LoggerFactory.getLogger(StoreFailures.class);

  private StoreFailures() {}

  /** For {@code future.recover(StoreFailures::unavailable)}. */
  public static <T> Future<T> unavailable(Throwable e) {
    if (e instanceof ProtocolException) {
      return Future.failedFuture(e);
    }
    log.atWarn().addKeyValue("error", String.valueOf(e)).log("store call failed");
    return Future.failedFuture(new ProtocolException(ErrorCode.UNAVAILABLE, "the store is unavailable; retry"));
  }
}
