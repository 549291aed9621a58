package io.courier.client;

import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests ({@code send}, {@code read}) the server has not answered yet, in the order they were issued, each
 * with its encoded frame so it can be written again unchanged.
 *
 * <p>A request leaves the outbox when its reply ({@code sent} or {@code ok}, matched by {@code id}) arrives, when
 * the server refuses it for good, or when the client stops. The outbox only keeps the books: writing frames,
 * retry timers and completing the promises are {@link CourierClient}'s job.
 *
 * @implNote In memory only: requests do not survive the process. Not thread-safe: used on the client's context.
 */
final class Outbox {

  /** One request awaiting its reply. {@code attempts} and {@code written} belong to the client's context. */
  static final class Request {
    final String id;
    final String frame;
    final int frameBytes;
    final Promise<JsonObject> reply = Promise.promise();
    /** Temporary errors so far, for the retry backoff. */
    int attempts;
    /** Whether it is on the wire of the current connection, awaiting its answer (else it waits to be written). */
    boolean written;

    Request(String id, String frame, int frameBytes) {
      this.id = id;
      this.frame = frame;
      this.frameBytes = frameBytes;
    }
  }

  private final Map<String, Request> pending = new LinkedHashMap<>();

  /**
   * Adds a request unless one with the same id is pending.
   *
   * @return the new request, or the pending one with that id (its frame is kept: the server would answer a repeat
   *     of the id the same way, whatever its content)
   */
  Request add(String id, String frame, int frameBytes) {
    return pending.computeIfAbsent(id, key -> new Request(key, frame, frameBytes));
  }

  /** The pending request with this id, or null. */
  Request find(String id) {
    return id == null ? null : pending.get(id);
  }

  /** Removes and returns the request with this id, or null if none is pending. */
  Request remove(String id) {
    return id == null ? null : pending.remove(id);
  }

  /** Whether this very request is still pending. */
  boolean isPending(Request request) {
    return pending.get(request.id) == request;
  }

  /** The pending requests in issue order (a live view: do not change the outbox while iterating). */
  Collection<Request> inOrder() {
    return pending.values();
  }

  /** Removes and returns every pending request, in issue order. */
  List<Request> removeAll() {
    List<Request> all = new ArrayList<>(pending.values());
    pending.clear();
    return all;
  }

  /** Removes and returns the pending request with the largest frame (the first of equals), or null. */
  Request removeLargest() {
    Request largest = pending.values().stream()
        .max(Comparator.comparingInt(request -> request.frameBytes)).orElse(null);
    return largest == null ? null : pending.remove(largest.id);
  }

  int size() {
    return pending.size();
  }
}
