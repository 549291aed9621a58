package io.courier.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Collects every log event at WARN or above that carries an exception, from any logger: what a request that the
 * server did not expect leaves behind ({@code HttpApi}'s "request failed unexpectedly", Vert.x's "Unhandled
 * exception"). Bad input must leave none: it is refused with its documented code.
 */
public final class LoggedExceptions extends AppenderBase<ILoggingEvent> implements AutoCloseable {
  private final List<ILoggingEvent> seen = new CopyOnWriteArrayList<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

  private LoggedExceptions() {
  }

  /** Starts collecting, until {@link #close()}. */
  public static LoggedExceptions watch() {
    LoggedExceptions watcher = new LoggedExceptions();
    watcher.setContext(watcher.root.getLoggerContext());
    watcher.start();
    watcher.root.addAppender(watcher);
    return watcher;
  }

  @Override
  protected void append(ILoggingEvent event) {
    if (event.getLevel().isGreaterOrEqual(Level.WARN) && event.getThrowableProxy() != null) {
      seen.add(event);
    }
  }

  /** Fails with the first exception logged so far, if any. */
  public void assertNone(String where) {
    if (!seen.isEmpty()) {
      ILoggingEvent first = seen.get(0);
      throw new AssertionError(seen.size() + " exception(s) logged during " + where + "; the first: "
          + first.getLoggerName() + ": " + first.getFormattedMessage() + " "
          + first.getThrowableProxy().getClassName() + ": " + first.getThrowableProxy().getMessage());
    }
  }

  @Override
  public void close() {
    root.detachAppender(this);
    stop();
  }
}
