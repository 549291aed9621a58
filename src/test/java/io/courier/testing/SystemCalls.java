package io.courier.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's read and write system calls so far, from {@code /proc/<pid>/io} (Linux). */
public final class SystemCalls {
  private SystemCalls() {}

  /** {@code syscr}: read-like calls ({@code read}, {@code readv}, ...; not {@code recv} on sockets). */
  public static long reads(long pid) {
    return field(pid, "syscr:");
  }

  /** {@code syscw}: write-like calls ({@code write}, {@code writev}, ...; not {@code send} on sockets). */
  public static long writes(long pid) {
    return field(pid, "syscw:");
  }

  private static long field(long pid, String name) {
    try {
      return Files.readAllLines(Path.of("/proc", Long.toString(pid), "io")).stream()
          .filter(line -> line.startsWith(name))
          .mapToLong(line -> Long.parseLong(line.substring(name.length()).trim()))
          .findFirst().orElseThrow(() -> new IllegalStateException("no " + name + " in /proc/" + pid + "/io"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
