package io.courier.mailbox;

/** Mailbox entry ids: Redis stream ids {@code <ms>-<seq>}, ordered by time, then sequence. */
public final class EntryIds {
  private EntryIds() {}

  /** The store time of an entry, in ms since the epoch. */
  public static long time(String entry) {
    return Long.parseLong(entry, 0, entry.indexOf('-'), 10);
  }

  /** Compares two entry ids in stream order (as numbers, not as text: "9-0" comes before "10-0"). */
  public static int compare(String a, String b) {
    int dashA = a.indexOf('-');
    int dashB = b.indexOf('-');
    int byTime = Long.compareUnsigned(Long.parseUnsignedLong(a, 0, dashA, 10), Long.parseUnsignedLong(b, 0, dashB, 10));
    return byTime != 0 ? byTime : Long.compareUnsigned(Long.parseUnsignedLong(a, dashA + 1, a.length(), 10),
        Long.parseUnsignedLong(b, dashB + 1, b.length(), 10));
  }
}
