package io.courier.gateway;

import io.courier.mailbox.Mailbox;
import io.courier.metrics.MetricNames;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ServerFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pushes one device's mailbox down its connection, in mailbox order: first the backlog from the oldest
 * unacked entry (then {@code drained}), then new entries as wake-ups announce them.
 *
 * <p>Bounded twice: at most {@code maxUnacked} entries are delivered and not yet acked (the in-flight map,
 * which also lets acks be checked against what this connection really delivered), and nothing is read while
 * the socket's write queue is full. Either bound pauses the loop; an ack or the socket's drain resumes it. A slow
 * reader therefore holds at most the write queue's high-water mark plus one batch in server memory.
 *
 * <p>Must run on the connection's context: no field is shared with another thread.
 */
final class DeliveryLoop {
  private static final Counter DELIVERED = Metrics.counter(MetricNames.name("entries.delivered"));
  private static final Counter PAUSED_FOR_SLOW_SOCKET = Metrics.counter(MetricNames.name("delivery.paused"),
      MetricNames.TAG_REASON, "write_queue_full");
  /** Wait before reading again after the store failed. */
  private static final long RETRY_AFTER_STORE_FAILURE_MS = 500;

  private final Vertx vertx;
  private final Mailbox mailbox;
  private final DeviceId device;
  private final Connection connection;
  private final int batch;
  private final int maxUnacked;
  /** Delivered, not yet acked entries, in delivery order. */
  private final Map<String, ServerFrame.Entry> inFlight = new LinkedHashMap<>();
  /** The last entry read; the next read starts after it. */
  private String cursor;
  private boolean reading;
  /** New entries may exist beyond the cursor (a wake-up came, or the last read was full). */
  private boolean moreMayExist = true;
  private boolean drainedSent;
  private boolean stopped;

  DeliveryLoop(Vertx vertx, Mailbox mailbox, DeviceId device, Connection connection, int batch, int maxUnacked) {
    this.vertx = vertx;
    this.mailbox = mailbox;
    this.device = device;
    this.connection = connection;
    this.batch = batch;
    this.maxUnacked = maxUnacked;
  }

  /** New entries were appended: read again (right away, or once the current read completes). */
  void wake() {
    moreMayExist = true;
    pump();
  }

  void stop() {
    stopped = true;
  }

  /** Reads and delivers the next batch unless a read is running, the loop is paused, or nothing is new. */
  void pump() {
    if (stopped || reading || !moreMayExist || inFlight.size() >= maxUnacked) {
      return;
    }
    if (connection.writeQueueFull()) {
      PAUSED_FOR_SLOW_SOCKET.increment();
      return;
    }
    int room = Math.min(batch, maxUnacked - inFlight.size());
    reading = true;
    moreMayExist = false;
    mailbox.read(device, cursor, room)
        .onSuccess(entries -> deliver(entries, room))
        .onFailure(e -> retryLater());
  }

  private void deliver(List<ServerFrame.Entry> entries, int requested) {
    reading = false;
    if (stopped) {
      return;
    }
    for (ServerFrame.Entry entry : entries) {
      inFlight.put(entry.entry(), entry);
      connection.write(entry);
      cursor = entry.entry();
    }
    DELIVERED.increment(entries.size());
    if (entries.size() == requested) {
      moreMayExist = true;
    } else if (!drainedSent) {
      drainedSent = true;
      connection.write(new ServerFrame.Drained());
    }
    pump();
  }

  private void retryLater() {
    reading = false;
    moreMayExist = true;
    vertx.setTimer(RETRY_AFTER_STORE_FAILURE_MS, id -> pump());
  }

  /**
   * The in-flight entries named by {@code entries}; all of them, or {@code UNKNOWN_ENTRY} when any was not
   * delivered on this connection (or was acked already). Nothing is removed: see {@link #acked}.
   */
  List<ServerFrame.Entry> inFlight(List<String> entries) {
    List<ServerFrame.Entry> found = new ArrayList<>(entries.size());
    for (String id : entries) {
      ServerFrame.Entry entry = inFlight.get(id);
      if (entry == null) {
        throw new ProtocolException(ErrorCode.UNKNOWN_ENTRY, "entry " + id + " was not delivered on this "
            + "connection or is acked already");
      }
      found.add(entry);
    }
    return found;
  }

  /** The entries are gone from the mailbox: forget them and deliver more if the loop was waiting for room. */
  void acked(List<String> entries) {
    entries.forEach(inFlight::remove);
    pump();
  }
}
