package io.courier.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Resolves the secret references a config may hold: {@code file:PATH} or {@code env:NAME}. */
public final class Secrets {
  private Secrets() {}

  public static String resolve(String reference, Map<String, String> environment) {
    if (reference.startsWith("file:")) {
      try {
        return Files.readString(Path.of(reference.substring("file:".length())));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read secret " + reference, e);
      }
    }
    if (reference.startsWith("env:")) {
      String value = environment.get(reference.substring("env:".length()));
      if (value == null) {
        throw new IllegalStateException("secret " + reference + " is not set");
      }
      return value;
    }
    throw new IllegalArgumentException("not a secret reference: " + reference);
  }
}
