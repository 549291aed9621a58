package io.courier.client.media;

import io.courier.client.CourierException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

/**
 * The server's answer about one attachment (PROTOCOL.md §1 "Attachments"): one presigned request per part, valid for
 * {@code expiresIn} seconds from when it was received.
 *
 * @param id the attachment id
 * @param size ciphertext bytes
 * @param partSize bytes per part; part {@code n} holds bytes {@code [(n-1)·partSize, min(n·partSize, size))}
 * @param expiresIn seconds the requests work, counted from {@code receivedAt}
 * @param parts one request per part, in part order
 * @param receivedAt when the answer arrived ({@link System#nanoTime()}), to renew the requests before they expire
 */
record Descriptors(String id, long size, long partSize, long expiresIn, List<PartRequest> parts, long receivedAt) {

  /**
   * One presigned request.
   *
   * @param part the part number, from 1
   * @param method {@code PUT} (the bytes as the body), {@code POST} (a form upload) or {@code GET}
   * @param url where it goes
   * @param fields for a {@code POST}, the form fields to send before the file, in the server's order; else empty
   * @param headers for a {@code PUT}, the headers to send with the bytes; else empty
   */
  record PartRequest(int part, String method, String url, Map<String, String> fields, Map<String, String> headers) {
  }

  Descriptors {
    parts = List.copyOf(parts);
  }

  /** The first byte of {@code part}. */
  long offset(int part) {
    return (part - 1) * partSize;
  }

  /** The bytes of {@code part}: {@code partSize}, or fewer for the last part. */
  long length(int part) {
    return Math.min(partSize, size - offset(part));
  }

  PartRequest part(int part) {
    return parts.get(part - 1);
  }

  /**
   * Whether the requests should be renewed before the next part: they expire within {@code marginMillis}, or within
   * a quarter of their lifetime when that is shorter (so short-lived requests are not renewed before every part).
   */
  boolean expiresWithin(long marginMillis, long nowNanos) {
    long lifetime = expiresIn * 1_000_000_000L;
    long margin = Math.min(marginMillis * 1_000_000L, lifetime / 4);
    return nowNanos - receivedAt >= lifetime - margin;
  }

  /**
   * Reads an answer and checks it is whole: sizes, one request per part in order, URLs.
   *
   * @throws CourierException {@link CourierException#MALFORMED_JSON} when it is not
   */
  static Descriptors parse(JsonObject json) {
    try {
      String id = json.getString("id");
      long size = json.getLong("size");
      long partSize = json.getLong("partSize");
      long expiresIn = json.getLong("expiresIn");
      JsonArray array = json.getJsonArray("parts");
      if (id == null || size < 0 || partSize <= 0 || array == null || array.size() != partCount(size, partSize)) {
        throw malformed("an attachment answer without id, sizes or one request per part: " + json.fieldNames());
      }
      List<PartRequest> parts = new ArrayList<>();
      for (int i = 0; i < array.size(); i++) {
        parts.add(part(array.getJsonObject(i), i + 1));
      }
      return new Descriptors(id, size, partSize, expiresIn, parts, System.nanoTime());
    } catch (ClassCastException | NullPointerException wrongType) {
      throw malformed("an attachment answer with a missing or mistyped field: " + wrongType.getMessage());
    }
  }

  private static PartRequest part(JsonObject json, int expected) {
    Integer number = json.getInteger("part");
    String url = json.getString("url");
    if (number == null || number != expected || url == null) {
      throw malformed("part " + expected + " of an attachment answer is missing or out of order");
    }
    return new PartRequest(number, json.getString("method", "POST"), url, strings(json.getJsonObject("fields")),
        strings(json.getJsonObject("headers")));
  }

  /** A JSON object's members as strings, in its order; empty when there is none. */
  private static Map<String, String> strings(JsonObject given) {
    Map<String, String> values = new LinkedHashMap<>();
    if (given != null) {
      given.forEach(member -> values.put(member.getKey(), String.valueOf(member.getValue())));
    }
    return values;
  }

  static int partCount(long size, long partSize) {
    return (int) ((size + partSize - 1) / partSize);
  }

  private static CourierException malformed(String message) {
    return new CourierException(CourierException.MALFORMED_JSON, 0, message, false, 0);
  }
}
