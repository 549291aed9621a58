package io.courier.gateway;

import io.courier.mailbox.EntryIds;
import io.courier.mailbox.Mailbox;
import io.courier.metrics.MetricNames;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ServerFrame;
import io.courier.routing.Signal;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Pushes one device's mailbox down its connection, in mailbox order: first the backlog from the oldest
 * unacked entry (then {@code drained}), then new entries as wake-ups announce them; a wake-up from this node
 * carries its entry, which is pushed without reading the mailbox when nothing can be missing before it.
 *
 * <p>Bounded twice: at most {@code maxUnacked} entries are delivered and not yet acked by the device (the
 * in-flight map, which also lets acks be checked against what this connection really delivered), and nothing is
 * read while the socket's write queue is full. Either bound pauses the loop; an ack or the socket's drain resumes
 * it. An entry the device has acked stops counting against the window when its ack arrives, not when the ack has
 * been stored: a draining device is not held up by the ack's round trips to Redis. A slow reader therefore holds at
 * most the write queue's high-water mark plus one batch of entries in server memory; the in-flight map keeps only
 * what an ack needs ({@link Delivered}), not the ciphertext.
 *
 * <p>Must run on the connection's context: no field is shared with another thread.
 */
final class DeliveryLoop {
  private static final Counter DELIVERED = Metrics.counter(MetricNames.name("entries.delivered"));
  private static final Counter PAUSED_FOR_SLOW_SOCKET = Metrics.counter(MetricNames.name("delivery.paused"),
      MetricNames.TAG_REASON, "write_queue_full");
  /** How long an entry that overtook the one before it waits for that one before the loop reads instead. */
  private static final long GAP_WAIT_MS = 5;
  /** Most entries waiting for the one before them; past it, the loop reads. */
  private static final int MAX_EARLY = 256;
  /** Wait before reading again after the store failed. */
  private static final long RETRY_AFTER_STORE_FAILURE_MS = 500;

  private final Vertx vertx;
  private final Mailbox mailbox;
  private final DeviceId device;
  private final Connection connection;
  private final int batch;
  private final int maxUnacked;
  /** Delivered entries whose ack has not been stored, in delivery order. */
  private final Map<String, Delivered> inFlight = new LinkedHashMap<>();
  /** In-flight entries the device has acked, whose ack is being stored. */
  private int acking;
  /** Entries handed over ahead of the entry before them, by entry id. */
  private final TreeMap<String, Signal.Wake> early = new TreeMap<>(EntryIds::compare);
  private long gapTimer = -1;
  /** The last entry read; the next read starts after it. */
  private String cursor;
  private boolean reading;
  /** A read has completed: the cursor stands for everything up to it. */
  private boolean readOnce;
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

  /**
   * New entries were appended. One that comes with the entry it was appended after is pushed as it is when the
   * loop has delivered everything up to that entry and has room: no read. One that comes ahead of the entry
   * before it (wake-ups from different event loops can overtake each other) waits a moment for that one; if the
   * gap does not fill, or the wake-up has no entry, the loop reads (right away, or once the current read
   * completes). An entry read before its wake-up came is not pushed twice.
   */
  void offer(Signal.Wake wake) {
    ServerFrame.Entry entry = wake.entry();
    if (entry == null || !caughtUp()) {
      readMore();
      return;
    }
    if (delivered(entry.entry())) {
      return; // a read found it before its wake-up came
    }
    boolean next = delivered(wake.previous());
    if (!next && early.size() < MAX_EARLY) {
      early.put(entry.entry(), wake);
      if (gapTimer < 0) {
        gapTimer = vertx.setTimer(GAP_WAIT_MS, id -> {
          gapTimer = -1;
          early.clear();
          readMore();
        });
      }
    } else if (next && hasRoom()) {
      push(List.of(entry));
      pushEarly();
    } else {
      readMore();
    }
  }

  private void readMore() {
    moreMayExist = true;
    pump();
  }

  /** Pushes the waiting entries whose predecessor has now been delivered, in order. */
  private void pushEarly() {
    while (!early.isEmpty()) {
      Map.Entry<String, Signal.Wake> first = early.firstEntry();
      if (delivered(first.getKey())) {
        early.pollFirstEntry();
      } else if (delivered(first.getValue().previous()) && hasRoom()) {
        early.pollFirstEntry();
        push(List.of(first.getValue().entry()));
      } else {
        return;
      }
    }
    if (gapTimer >= 0) { // most pushes have no gap: skip the timer lookup (it showed in profiles)
      vertx.cancelTimer(gapTimer);
      gapTimer = -1;
    }
  }

  private boolean hasRoom() {
    return unacked() < maxUnacked && !connection.writeQueueFull();
  }

  /** Delivered entries the device has not acked yet: what the window bounds. */
  private int unacked() {
    return inFlight.size() - acking;
  }

  /** Everything read has been delivered and nothing is known to be waiting in the mailbox. */
  private boolean caughtUp() {
    return readOnce && !reading && !moreMayExist && !stopped;
  }

  /** The entry is at or before the cursor ({@code ""}: no entry, which counts as delivered). */
  private boolean delivered(String entry) {
    return entry.isEmpty() || (cursor != null && EntryIds.compare(entry, cursor) <= 0);
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(gapTimer);
  }

  /** Reads and delivers the next batch unless a read is running, the loop is paused, or nothing is new. */
  void pump() {
    if (stopped || reading || !moreMayExist || unacked() >= maxUnacked) {
      return;
    }
    if (connection.writeQueueFull()) {
      PAUSED_FOR_SLOW_SOCKET.increment();
      return;
    }
    int room = Math.min(batch, maxUnacked - unacked());
    reading = true;
    moreMayExist = false;
    mailbox.read(device, cursor, room)
        .onSuccess(entries -> deliver(entries, room))
        .onFailure(e -> retryLater());
  }

  private void deliver(List<ServerFrame.Entry> entries, int requested) {
    reading = false;
    readOnce = true;
    if (stopped) {
      return;
    }
    push(entries);
    pushEarly();
    if (entries.size() == requested) {
      moreMayExist = true;
    } else if (!drainedSent) {
      drainedSent = true;
      connection.write(new ServerFrame.Drained());
    }
    pump();
  }

  private void push(List<ServerFrame.Entry> entries) {
    for (ServerFrame.Entry entry : entries) {
      inFlight.put(entry.entry(), Delivered.of(entry));
      connection.write(entry);
      cursor = entry.entry();
    }
    DELIVERED.increment(entries.size());
  }

  private void retryLater() {
    reading = false;
    moreMayExist = true;
    vertx.setTimer(RETRY_AFTER_STORE_FAILURE_MS, id -> pump());
  }

  /**
   * Starts an ack: the in-flight entries named by {@code entries}, all of them, or {@code UNKNOWN_ENTRY} when any
   * was not delivered on this connection (or its ack is stored already). They no longer count against the window;
   * nothing is removed until {@link #acked} (or, if storing the ack failed, {@link #ackFailed}).
   */
  List<Delivered> acking(List<String> entries) {
    List<Delivered> found = new ArrayList<>(entries.size());
    for (String id : entries) {
      Delivered entry = inFlight.get(id);
      if (entry == null) {
        throw new ProtocolException(ErrorCode.UNKNOWN_ENTRY, "entry " + id + " was not delivered on this "
            + "connection or is acked already");
      }
      found.add(entry);
    }
    for (Delivered entry : found) {
      if (!entry.acking) {
        entry.acking = true;
        acking++;
      }
    }
    pump();
    return found;
  }

  /** The entries are gone from the mailbox: forget them. */
  void acked(List<String> entries) {
    for (String id : entries) {
      Delivered entry = inFlight.remove(id);
      if (entry != null && entry.acking) {
        acking--;
      }
    }
    pump();
  }

  /** Whether the connection is closed: nothing more is delivered or retried for it. */
  boolean stopped() {
    return stopped;
  }

  /** Storing the ack failed: the entries count as unacked again (the device may ack them again). */
  void ackFailed(List<String> entries) {
    for (String id : entries) {
      Delivered entry = inFlight.get(id);
      if (entry != null && entry.acking) {
        entry.acking = false;
        acking--;
      }
    }
  }

  /**
   * What an ack needs of a delivered entry: whom its {@code delivered} receipt goes to ({@code null}: none, for a
   * receipt or for a sync copy, which is this account's own message) and for which message id.
   */
  static final class Delivered {
    final String receiptTo;
    final String messageId;
    /** The device has acked it and the ack is being stored. */
    boolean acking;

    private Delivered(String receiptTo, String messageId) {
      this.receiptTo = receiptTo;
      this.messageId = messageId;
    }

    static Delivered of(ServerFrame.Entry entry) {
      return entry instanceof ServerFrame.Message m && m.to() == null ? new Delivered(m.from(), m.id())
          : new Delivered(null, null);
    }
  }
}
