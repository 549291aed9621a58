package io.courier.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects what Vert.x logs as "Unhandled exception": an exception that escaped one of our handlers on an event loop.
 * Vert.x only logs it and goes on, so without this a test passes over the bug.
 */
public final class UnhandledExceptions extends AppenderBase<ILoggingEvent> {
  /** The logger Vert.x reports escaped exceptions on. */
  static final String VERTX_CONTEXT_LOGGER = "io.vertx.core.impl.ContextImpl";

  private final List<ILoggingEvent> seen = new CopyOnWriteArrayList<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(VERTX_CONTEXT_LOGGER);

  private UnhandledExceptions() {
  }

  /** Starts collecting, until {@link #stop()}. */
  public static UnhandledExceptions watch() {
    UnhandledExceptions watcher = new UnhandledExceptions();
    watcher.setContext(watcher.logger.getLoggerContext());
    watcher.start();
    watcher.logger.addAppender(watcher);
    return watcher;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
      seen.add(event);
    }
  }

  @Override
  public void stop() {
    logger.detachAppender(this);
    super.stop();
  }

  /** Stops collecting and fails with the first one, if any was logged. */
  public void stopAndAssertNone(String where) {
    stop();
    if (!seen.isEmpty()) {
      ILoggingEvent first = seen.get(0);
      String cause = first.getThrowableProxy() == null ? "" : first.getThrowableProxy().getClassName() + ": "
          + first.getThrowableProxy().getMessage();
      throw new AssertionError(seen.size() + " unhandled exception(s) on an event loop during " + where
          + "; the first: " + first.getFormattedMessage() + " " + cause);
    }
  }
}
