package io.courier.cli;

import io.courier.client.media.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * A transfer's progress on the screen. On a terminal, one line redrawn in place:
 * {@code \r  uploading photo.jpg [#########           ] 45% 9.0/20.0 MiB}, ended by a newline at 100%. Elsewhere (a
 * pipe, a file, a test), a line each time a new 10% step is reached, so the output stays readable. Sizes count the
 * ciphertext (the file plus 16 bytes).
 */
final class ProgressBar implements Progress {
  private static final int WIDTH = 20;

  private final PrintStream out;
  private final String label;
  private final boolean terminal;
  private int shown = -1;

  ProgressBar(PrintStream out, String label) {
    this(out, label, isTerminal(out));
  }

  ProgressBar(PrintStream out, String label, boolean terminal) {
    this.out = out;
    this.label = label;
    this.terminal = terminal;
  }

  /** Whether {@code out} is the process's standard output on an interactive terminal. */
  static boolean isTerminal(PrintStream out) {
    return out == System.out && System.console() != null;
  }

  @Override
  public synchronized void update(long done, long total) {
    int percent = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
    int step = terminal ? percent : percent / 10 * 10;
    if (step == shown) {
      return;
    }
    shown = step;
    String line = label + " " + bar(percent) + " " + percent + "% " + amounts(done, total);
    if (!terminal) {
      out.println(line);
    } else if (percent == 100) {
      out.println("\r" + line);
    } else {
      out.print("\r" + line);
      out.flush();
    }
  }

  private static String bar(int percent) {
    int filled = percent * WIDTH / 100;
    return "[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "]";
  }

  /** {@code 9.0/20.0 MiB}: both in the unit that suits the total. */
  static String amounts(long done, long total) {
    String unit = total >= 1L << 30 ? "GiB" : total >= 1L << 20 ? "MiB" : "KiB";
    double scale = total >= 1L << 30 ? 1L << 30 : total >= 1L << 20 ? 1L << 20 : 1L << 10;
    return String.format(Locale.ROOT, "%.1f/%.1f %s", done / scale, total / scale, unit);
  }

  /** A size as people read it: {@code 532 B}, {@code 12.0 KiB}, {@code 1.2 MiB}, {@code 3.4 GiB}. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes / 1024.0;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
