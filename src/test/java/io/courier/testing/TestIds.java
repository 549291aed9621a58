package io.courier.testing;

import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Unique, valid account names for tests, so tests isolate by key prefix on a shared Redis instead
 * of FLUSHALL (STYLE 4.6.2).
 *
 * <p>{@code unique("alice")} returns the lowercased base, a dash, a per-JVM counter in base 36 and
 * {@link #RANDOM_CHARS} random base-36 characters, for example {@code alice-1k3z9q}. The counter
 * makes names unique within one JVM; the random part makes clashes between JVMs that share a
 * server (parallel forks, reruns against a kept server) unlikely. The base is cut so the result
 * never exceeds {@link #MAX_LENGTH} characters.
 */
public final class TestIds {
  /** The account-name rule the server enforces; every name returned matches it. */
  public static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{2,31}");
  /** The longest account name the server accepts. */
  public static final int MAX_LENGTH = 32;
  /** Random base-36 characters at the end of each name. */
  static final int RANDOM_CHARS = 5;
  /** Base used when the given one has no usable character. */
  static final String FALLBACK_BASE = "u";

  private static final AtomicLong COUNTER = new AtomicLong();
  private static final Pattern NOT_ALLOWED = Pattern.compile("[^a-z0-9_.-]");
  private static final Pattern BAD_START = Pattern.compile("^[^a-z0-9]+");

  private TestIds() {
  }

  /** A new unique account name that starts with (a cleaned, possibly shortened) {@code base}. */
  public static String unique(String base) {
    String suffix = "-" + Long.toString(COUNTER.incrementAndGet(), 36) + randomChars();
    String clean = clean(base);
    return clean.substring(0, Math.min(clean.length(), MAX_LENGTH - suffix.length())) + suffix;
  }

  private static String clean(String base) {
    String lower = NOT_ALLOWED.matcher(base.toLowerCase(Locale.ROOT)).replaceAll("");
    String trimmed = BAD_START.matcher(lower).replaceFirst("");
    return trimmed.isEmpty() ? FALLBACK_BASE : trimmed;
  }

  private static String randomChars() {
    StringBuilder chars = new StringBuilder(RANDOM_CHARS);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      chars.append(Character.forDigit(ThreadLocalRandom.current().nextInt(36), 36));
    }
    return chars.toString();
  }
}
