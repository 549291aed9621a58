package io.courier.media;

/**
 * How an attachment of {@code size} ciphertext bytes is cut into parts of {@code partSize} bytes: part {@code n}
 * (from 1) holds bytes {@code [(n-1)·partSize, min(n·partSize, size))}.
 */
record PartLayout(long size, long partSize) {

  int count() {
    return (int) ((size + partSize - 1) / partSize);
  }

  /** The exact size of {@code part}. */
  long size(int part) {
    return Math.min(partSize, size - (part - 1) * partSize);
  }
}
