package io.courier.client.media;

/**
 * Told how far an attachment transfer is, for a progress bar. Called on the transfer's Vert.x context, one call at a
 * time, after each chunk that reached the object store (upload) or the temporary file (download): do not block in
 * it. {@code done} may go back when a part is sent again after a failure; it ends at {@code total} on success.
 */
@FunctionalInterface
public interface Progress {

  /** A progress that ignores everything. */
  Progress NONE = (done, total) -> {
  };

  /**
   * @param done ciphertext bytes transferred so far
   * @param total ciphertext bytes of the whole attachment (the file's size plus 16)
   */
  void update(long done, long total);
}
