package io.courier.client;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently seen messages, named by (sender account, message id), so a redelivered message is not shown
 * twice (delivery is at-least-once, PROTOCOL.md §4).
 *
 * <p>A bounded LRU: beyond {@code capacity} the least recently seen or checked message is forgotten.
 *
 * @implNote In memory only, and bounded: a repeat that arrives after the window has forgotten the message (a
 *     restarted client, or more than {@code capacity} newer messages in between) is shown again. Apps that must
 *     never show a repeat also check their own message store. Not thread-safe: used on the client's context.
 */
final class DedupWindow {

  private final int capacity;
  private final Map<Key, Boolean> seen;

  DedupWindow(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity < 1: " + capacity);
    }
    this.capacity = capacity;
    this.seen = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
        return size() > DedupWindow.this.capacity;
      }
    };
  }

  /** Whether the message was seen; a hit counts as use, so the message stays longer. */
  boolean contains(String from, String id) {
    return seen.get(new Key(from, id)) != null;
  }

  /** Records the message as seen, forgetting the least recently used one beyond capacity. */
  void remember(String from, String id) {
    seen.put(new Key(from, id), Boolean.TRUE);
  }

  int size() {
    return seen.size();
  }

  private record Key(String from, String id) {
  }
}
