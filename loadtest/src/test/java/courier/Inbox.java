package courier;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Answers server frames for every virtual user, as a Gatling {@code wsAutoReplyTextFrame}
 * function: each {@code message} and {@code receipt} is acked at once (one entry per ack frame),
 * and counted; {@code error} frames are counted and the first few printed. Other frames
 * ({@code sent}, {@code drained}, {@code pong}, ...) get no reply and stay visible to checks.
 *
 * <p>Gatling's buffer of unmatched messages does not see frames that arrive while a check is
 * awaited, so acking from the scenario would miss most messages; the auto-reply sees them all.
 * The counts are process-wide (Gatling runs every virtual user in one JVM) and printed by each
 * simulation's {@code after()}; {@link #receivedFrom} counts messages per sender.
 */
final class Inbox {

  static final AtomicLong MESSAGES = new AtomicLong();
  static final AtomicLong RECEIPTS = new AtomicLong();
  static final AtomicLong RECEIPT_IDS = new AtomicLong();
  static final AtomicLong ERRORS = new AtomicLong();
  /** Store-to-arrival time of {@code message} frames, in ms (client and server clocks: same host or NTP). */
  static final Latency DELIVERY = new Latency();
  private static final Map<String, AtomicLong> FROM = new ConcurrentHashMap<>();

  private Inbox() {}

  /** The last frame seen on this thread and the reply given. */
  private static final ThreadLocal<String[]> LAST = ThreadLocal.withInitial(() -> new String[2]);

  /**
   * The reply to one server frame, or null for none. Gatling calls the function twice per frame
   * (to test whether it applies, then to apply it), so a repeat of the same frame on the same
   * thread is answered from the last call without counting it again.
   */
  static String autoReply(String json) {
    String[] last = LAST.get();
    if (last[0] == json) {
      return last[1];
    }
    String reply = reply(json);
    last[0] = json;
    last[1] = reply;
    return reply;
  }

  private static String reply(String json) {
    switch (Courier.type(json)) {
      case "message" -> {
        MESSAGES.incrementAndGet();
        long at = Courier.at(json);
        if (at > 0) {
          DELIVERY.record(System.currentTimeMillis() - at);
        }
        String from = Courier.from(json);
        if (from != null) {
          FROM.computeIfAbsent(from, k -> new AtomicLong()).incrementAndGet();
        }
        return Courier.ack(List.of(Courier.entry(json)), null);
      }
      case "receipt" -> {
        RECEIPTS.incrementAndGet();
        RECEIPT_IDS.addAndGet(Courier.idCount(json));
        return Courier.ack(List.of(Courier.entry(json)), null);
      }
      case "error" -> {
        if (ERRORS.incrementAndGet() <= 10) {
          System.err.println("error frame: " + json);
        }
        return null;
      }
      default -> {
        return null;
      }
    }
  }

  /** How many {@code message} frames from this account arrived (on any connection). */
  static long receivedFrom(String account) {
    AtomicLong n = FROM.get(account);
    return n == null ? 0 : n.get();
  }

  static String summary() {
    return String.format("inbound: %d message frames, %d receipts (covering %d message ids), %d error frames; "
        + "delivery latency (arrival - server 'at') %s", MESSAGES.get(), RECEIPTS.get(), RECEIPT_IDS.get(),
        ERRORS.get(), DELIVERY);
  }

  /** A histogram in 1 ms buckets up to 60 s; enough for a percentile printout. */
  static final class Latency {
    private static final int MAX = 60_000;
    private final AtomicLongArray buckets = new AtomicLongArray(MAX + 1);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();

    void record(long ms) {
      int b = (int) Math.max(0, Math.min(MAX, ms));
      buckets.incrementAndGet(b);
      count.incrementAndGet();
      sum.addAndGet(Math.max(0, ms));
    }

    long percentile(double p) {
      long n = count.get();
      if (n == 0) {
        return -1;
      }
      long rank = (long) Math.ceil(p / 100.0 * n);
      long seen = 0;
      for (int i = 0; i <= MAX; i++) {
        seen += buckets.get(i);
        if (seen >= rank) {
          return i;
        }
      }
      return MAX;
    }

    long count() {
      return count.get();
    }

    @Override
    public String toString() {
      long n = count.get();
      if (n == 0) {
        return "n=0";
      }
      return String.format("n=%d mean=%d ms p50=%d p95=%d p99=%d max=%d ms",
          n, sum.get() / n, percentile(50), percentile(95), percentile(99), percentile(100));
    }
  }
}
