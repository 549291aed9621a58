package io.courier.testing;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a child process's merged stdout and stderr on a daemon thread, so the child never blocks
 * on a full pipe, and keeps the last {@link #MAX_LINES} lines in memory for failure messages.
 *
 * <p>Optionally copies every line to a file, and remembers the first line that matches a watched
 * pattern (for example a "ready" line) even after that line has scrolled out of memory.
 */
final class ProcessLog {
  /** Lines kept in memory; older lines are dropped and counted. */
  static final int MAX_LINES = 5_000;
  /** How long {@link #awaitEnd()} waits for the reader to see end of stream after the process exited. */
  static final Duration END_TIMEOUT = Duration.ofSeconds(5);

  private final Deque<String> lines = new ArrayDeque<>();
  private final Pattern watch;
  private final Path file;
  private final Thread reader;
  private long dropped;
  private volatile MatchResult firstMatch;

  private ProcessLog(Process process, Pattern watch, Path file, String threadName) {
    this.watch = watch;
    this.file = file;
    this.reader = new Thread(() -> read(process), threadName);
    this.reader.setDaemon(true);
  }

  /**
   * Starts following {@code process}'s output. Build the process with {@code redirectErrorStream(true)}.
   *
   * @param watch pattern whose first match is kept for {@link #firstMatch()}; null for none
   * @param file file that gets a copy of every line; null for none
   */
  static ProcessLog follow(Process process, Pattern watch, Path file, String threadName) {
    ProcessLog log = new ProcessLog(process, watch, file, threadName);
    log.reader.start();
    return log;
  }

  /** The first line match of the watched pattern, once the process has printed one. */
  Optional<MatchResult> firstMatch() {
    return Optional.ofNullable(firstMatch);
  }

  /** The lines kept so far, with a note on how many earlier lines were dropped. */
  synchronized String text() {
    StringBuilder text = new StringBuilder();
    if (dropped > 0) {
      text.append("[").append(dropped).append(" earlier lines dropped]\n");
    }
    lines.forEach(line -> text.append(line).append('\n'));
    return text.toString();
  }

  /** The file that holds the full output, if one was asked for. */
  Optional<Path> file() {
    return Optional.ofNullable(file);
  }

  /** Waits (bounded) until the reader has seen the end of the output, so {@link #text()} is complete. */
  void awaitEnd() {
    try {
      reader.join(END_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read(Process process) {
    try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        BufferedWriter copy = openCopy()) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        add(line);
        if (copy != null) {
          copy.write(line);
          copy.newLine();
          copy.flush();
        }
      }
    } catch (IOException e) {
      add("[output reader stopped: " + e + "]");
    }
  }

  private BufferedWriter openCopy() throws IOException {
    if (file == null) {
      return null;
    }
    Files.createDirectories(file.toAbsolutePath().getParent());
    return Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  private void add(String line) {
    if (watch != null && firstMatch == null) {
      Matcher matcher = watch.matcher(line);
      if (matcher.find()) {
        firstMatch = matcher.toMatchResult();
      }
    }
    synchronized (this) {
      lines.addLast(line);
      if (lines.size() > MAX_LINES) {
        lines.removeFirst();
        dropped++;
      }
    }
  }
}
