package io.courier.client;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Message ids as UUIDv7 (RFC 9562): a 48-bit Unix-ms timestamp, the version 7, a 12-bit counter in
 * {@code rand_a}, the variant 0b10 and 62 random bits.
 *
 * <p>Ids from one generator strictly increase, also in string form: within one millisecond the counter goes up
 * (it starts at a random value below 2048 to leave room), and when the clock stands still past 4096 ids or goes
 * back, the timestamp is carried forward by one ms instead (RFC 9562 §6.2, method 1).
 *
 * @implNote Not for secrets: the random bits come from {@link ThreadLocalRandom}. Ordering holds per generator;
 *     ids from different processes are ordered only as far as their clocks agree. Thread-safe (synchronized).
 */
public final class UuidV7 {

  private static final UuidV7 SHARED = new UuidV7(System::currentTimeMillis);

  private static final long TIMESTAMP_MASK = 0xFFFF_FFFF_FFFFL;
  private static final int COUNTER_MAX = 0xFFF;
  private static final int COUNTER_START_BOUND = 0x800;

  private final LongSupplier clock;
  private long lastMillis = Long.MIN_VALUE;
  private int counter;

  /** A generator reading {@code clock} (ms since the epoch); tests pass a fixed clock. */
  UuidV7(LongSupplier clock) {
    this.clock = clock;
  }

  /** A new id from the process-wide generator, in the canonical lower-case form. */
  public static String next() {
    return SHARED.generate().toString();
  }

  synchronized UUID generate() {
    long now = clock.getAsLong();
    if (now > lastMillis) {
      lastMillis = now;
      counter = ThreadLocalRandom.current().nextInt(COUNTER_START_BOUND);
    } else if (counter < COUNTER_MAX) {
      counter++;
    } else {
      lastMillis++;
      counter = 0;
    }
    long msb = (lastMillis & TIMESTAMP_MASK) << 16 | 0x7000L | counter;
    long lsb = ThreadLocalRandom.current().nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
