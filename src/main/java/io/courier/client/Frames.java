package io.courier.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The client's side of the wire format (PROTOCOL.md §3 and §4): builds the frames the client sends and reads the
 * frames it receives. Every JSON field name the SDK uses is spelled here and nowhere else.
 *
 * @implNote Reading ignores fields it does not know (the protocol may add some in v1). A frame that lacks a field
 *     the client needs throws {@link NullPointerException} or {@link ClassCastException}; the caller reports it.
 */
final class Frames {

  static final String MESSAGE = "message";
  static final String RECEIPT = "receipt";
  static final String SENT = "sent";
  static final String OK = "ok";
  static final String PONG = "pong";
  static final String DRAINED = "drained";
  static final String ERROR = "error";

  private Frames() {
  }

  /** {@code {"type":"send","id","to","envelopes":[{"device","ciphertext"}]}}, envelopes by device number. */
  static JsonObject send(String id, String to, Map<Integer, byte[]> ciphertextByDevice) {
    JsonArray envelopes = new JsonArray();
    new TreeMap<>(ciphertextByDevice).forEach((device, ciphertext) -> envelopes.add(envelope(device, ciphertext)));
    return new JsonObject().put("type", "send").put("id", id).put("to", to).put("envelopes", envelopes);
  }

  private static JsonObject envelope(Integer device, byte[] ciphertext) {
    Objects.requireNonNull(ciphertext, "ciphertext of device " + device);
    return new JsonObject().put("device", device).put("ciphertext", Base64.getEncoder().encodeToString(ciphertext));
  }

  /**
   * {@code {"type":"send","id","to","envelopes":[{"device","registrationId","ciphertext"}],"sync":[...]}}, in the
   * given order; {@code registrationId} is left out where it is {@link OutgoingEnvelope#NO_REGISTRATION_ID}, and
   * {@code sync} when it is null (an empty list is written as {@code []}).
   */
  static JsonObject send(String id, String to, List<OutgoingEnvelope> envelopes, List<OutgoingEnvelope> sync) {
    JsonObject frame = new JsonObject().put("type", "send").put("id", id).put("to", to)
        .put("envelopes", envelopes(envelopes));
    if (sync != null) {
      frame.put("sync", envelopes(sync));
    }
    return frame;
  }

  private static JsonArray envelopes(List<OutgoingEnvelope> envelopes) {
    JsonArray array = new JsonArray();
    for (OutgoingEnvelope envelope : envelopes) {
      JsonObject json = new JsonObject().put("device", envelope.device());
      if (envelope.registrationId() != OutgoingEnvelope.NO_REGISTRATION_ID) {
        json.put("registrationId", envelope.registrationId());
      }
      array.add(json.put("ciphertext", Base64.getEncoder().encodeToString(envelope.ciphertext())));
    }
    return array;
  }

  /** {@code {"type":"ack","entries":[...]}}, without an id: the server then answers only on failure. */
  static JsonObject ack(List<String> entries) {
    return new JsonObject().put("type", "ack").put("entries", new JsonArray(List.copyOf(entries)));
  }

  /** {@code {"type":"read","id","sender","messages":[...]}}. */
  static JsonObject read(String id, String sender, List<String> messageIds) {
    JsonArray messages = new JsonArray(List.copyOf(messageIds));
    return new JsonObject().put("type", "read").put("id", id).put("sender", sender).put("messages", messages);
  }

  /** The {@code type} of a server frame, or null. */
  static String type(JsonObject frame) {
    return frame.getValue("type") instanceof String type ? type : null;
  }

  /** The {@code id} of a server frame, or null when it has none. */
  static String id(JsonObject frame) {
    return frame.getValue("id") instanceof String id ? id : null;
  }

  /** Reads a {@code message} frame; the ciphertext is decoded from standard base64. */
  static IncomingMessage message(JsonObject frame) {
    return new IncomingMessage(
        Objects.requireNonNull(frame.getString("entry"), "entry"),
        Objects.requireNonNull(frame.getString("id"), "id"),
        Objects.requireNonNull(frame.getString("from"), "from"),
        frame.getInteger("fromDevice"),
        frame.getLong("at"),
        Base64.getDecoder().decode(frame.getString("ciphertext")),
        frame.getValue("to") instanceof String to ? to : null);
  }

  /** The mailbox entry id of a {@code message} or {@code receipt} frame. */
  static String entry(JsonObject frame) {
    return Objects.requireNonNull(frame.getString("entry"), "entry");
  }

  /** Reads a {@code receipt} frame. */
  static Receipt receipt(JsonObject frame) {
    List<String> ids = frame.getJsonArray("ids").stream().map(String.class::cast).toList();
    return new Receipt(
        Objects.requireNonNull(frame.getString("kind"), "kind"),
        Objects.requireNonNull(frame.getString("by"), "by"),
        frame.getInteger("byDevice"),
        ids,
        frame.getLong("at"));
  }

  /** The {@code at} of a {@code sent} frame. */
  static long sentAt(JsonObject frame) {
    return frame.getLong("at");
  }

  /**
   * Reads an {@code error} frame; {@code temporary} falls back to PROTOCOL.md §5 when absent, and
   * {@code retryAfter} (ms) to 0. The device-set fields of {@code MISMATCHED_DEVICES} and {@code STALE_DEVICES}
   * ({@code account}, {@code missing}, {@code extra}, {@code stale}) are kept when present; device numbers that are
   * not integers are skipped.
   */
  static CourierException error(JsonObject frame) {
    String code = frame.getString("code", "UNKNOWN");
    boolean temporary = frame.getBoolean("temporary", CourierException.isTemporaryCode(code));
    long retryAfter = frame.getLong("retryAfter", 0L);
    String account = frame.getValue("account") instanceof String named ? named : null;
    return new CourierException(code, 0, frame.getString("message", ""), temporary, retryAfter, account,
        devices(frame, "missing"), devices(frame, "extra"), devices(frame, "stale"));
  }

  private static List<Integer> devices(JsonObject frame, String field) {
    if (!(frame.getValue(field) instanceof JsonArray array)) {
      return List.of();
    }
    List<Integer> devices = new ArrayList<>();
    for (Object device : array) {
      if (device instanceof Integer number) {
        devices.add(number);
      } else if (device instanceof Long number && number >= 1 && number <= Integer.MAX_VALUE) {
        devices.add(number.intValue());
      }
    }
    return devices;
  }
}
