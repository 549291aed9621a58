package io.courier.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns WebSocket text into validated {@link ClientFrame}s and {@link ServerFrame}s into text.
 *
 * <p>Decoding validates everything a frame can get wrong on its own (shape, types, id formats, limits) and
 * throws {@link ProtocolException} with the documented code; what needs the store (does the account exist?)
 * is checked later. Unknown fields are ignored, so clients and servers can add optional fields within v1.
 * Thread-safe.
 */
public final class FrameCodec {
  /** Refuses text after the object: {@code {...}xyz} is not one frame (Jackson stops after the first value). */
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final JsonFactory FACTORY = MAPPER.getFactory();
  /** The largest Signal registration id. */
  public static final int MAX_REGISTRATION_ID = 16_380;

  private final ProtocolLimits limits;

  public FrameCodec(ProtocolLimits limits) {
    this.limits = limits;
  }

  /** Parses and validates one client frame. */
  public ClientFrame decodeClientFrame(String text) {
    JsonNode node = parseObject(text);
    String id = optionalRequestId(node);
    try {
      JsonNode type = node.get("type");
      if (type == null || !type.isTextual()) {
        throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "frame has no string 'type'");
      }
      return switch (type.asText()) {
        case "send" -> decodeSend(node, id);
        case "ack" -> new ClientFrame.Ack(id, entries(node));
        case "read" -> decodeRead(node, id);
        case "ping" -> new ClientFrame.Ping(id);
        default -> throw new ProtocolException(ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type '" + type.asText()
            + "'");
      };
    } catch (ProtocolException e) {
      throw withRequestId(e, id);
    }
  }

  /** Parses a JSON object (an HTTP body or a frame; null: no body), or throws {@code MALFORMED_JSON}. */
  public static JsonNode parseObject(String text) {
    if (text == null) {
      // Jackson refuses a null source with IllegalArgumentException, which would be a 500.
      throw new ProtocolException(ErrorCode.MALFORMED_JSON, "expected a JSON object, got no body");
    }
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || !node.isObject()) {
        throw new ProtocolException(ErrorCode.MALFORMED_JSON, "expected a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new ProtocolException(ErrorCode.MALFORMED_JSON, "not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** A required string field. */
  public static String requiredText(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'" + field + "' is required");
    }
    if (!value.isTextual()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be a string");
    }
    return value.asText();
  }

  private ClientFrame.Send decodeSend(JsonNode node, String id) {
    if (id == null) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'id' (the message id) is required");
    }
    if (node.has("from")) {
      throw new ProtocolException(ErrorCode.FORBIDDEN_SENDER, "the sender is the authenticated device; "
          + "'from' is not accepted");
    }
    String to = account(node, "to");
    List<ClientFrame.OutgoingEnvelope> envelopes = envelopes(requiredArray(node, "envelopes"), "envelopes");
    if (envelopes.isEmpty()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'envelopes' must not be empty");
    }
    JsonNode sync = node.get("sync");
    List<ClientFrame.OutgoingEnvelope> syncEnvelopes = sync == null || sync.isNull() ? null
        : envelopes(requiredArray(node, "sync"), "sync");
    int total = envelopes.size() + (syncEnvelopes == null ? 0 : syncEnvelopes.size());
    if (total > limits.maxEnvelopesPerSend()) {
      throw new ProtocolException(ErrorCode.TOO_MANY_ENVELOPES, "at most " + limits.maxEnvelopesPerSend()
          + " envelopes (with sync copies) per send");
    }
    return new ClientFrame.Send(id, to, envelopes, syncEnvelopes);
  }

  private List<ClientFrame.OutgoingEnvelope> envelopes(JsonNode array, String field) {
    if (array.size() > limits.maxEnvelopesPerSend()) {
      throw new ProtocolException(ErrorCode.TOO_MANY_ENVELOPES, "at most " + limits.maxEnvelopesPerSend()
          + " envelopes per send");
    }
    List<ClientFrame.OutgoingEnvelope> envelopes = new ArrayList<>(array.size());
    Set<Integer> devices = new HashSet<>();
    for (JsonNode element : array) {
      ClientFrame.OutgoingEnvelope envelope = envelope(element);
      if (!devices.add(envelope.device())) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "device " + envelope.device() + " appears twice in '"
            + field + "'");
      }
      envelopes.add(envelope);
    }
    return List.copyOf(envelopes);
  }

  private ClientFrame.OutgoingEnvelope envelope(JsonNode element) {
    if (!element.isObject()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "each envelope must be an object");
    }
    JsonNode device = element.get("device");
    if (device == null || device.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'envelopes[].device' is required");
    }
    if (!device.canConvertToInt() || !device.isIntegralNumber() || device.asInt() < 1) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'envelopes[].device' must be a positive integer");
    }
    int registrationId = registrationId(element.get("registrationId"));
    String ciphertext = requiredText(element, "ciphertext");
    if (decodedLength(ciphertext) > limits.maxCiphertextBytes()) {
      throw new ProtocolException(ErrorCode.ENVELOPE_TOO_LARGE, "a ciphertext is larger than "
          + limits.maxCiphertextBytes() + " bytes");
    }
    if (!isPaddedBase64(ciphertext)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'envelopes[].ciphertext' is not standard base64 "
          + "(RFC 4648 §4, padded)");
    }
    if (ciphertext.isEmpty()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'envelopes[].ciphertext' is empty");
    }
    return new ClientFrame.OutgoingEnvelope(device.asInt(), registrationId, ciphertext);
  }

  /** Signal registration ids are 1 to 16380; absent is 0. */
  private static int registrationId(JsonNode value) {
    if (value == null || value.isNull()) {
      return 0;
    }
    // canConvertToInt: asInt() cuts a larger number to its low 32 bits (4294967297 would read as 1).
    if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 1
        || value.asInt() > MAX_REGISTRATION_ID) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'registrationId' must be an integer from 1 to "
          + MAX_REGISTRATION_ID);
    }
    return value.asInt();
  }

  private ClientFrame.Read decodeRead(JsonNode node, String id) {
    String sender = account(node, "sender");
    JsonNode array = requiredArray(node, "messages");
    if (array.isEmpty()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'messages' must not be empty");
    }
    if (array.size() > limits.maxReceiptIds()) {
      throw new ProtocolException(ErrorCode.TOO_MANY_ENVELOPES, "at most " + limits.maxReceiptIds()
          + " message ids per read");
    }
    List<String> messages = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      if (!element.isTextual() || !Ids.isRequest(element.asText())) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "'messages' holds message ids");
      }
      messages.add(element.asText());
    }
    return new ClientFrame.Read(id, sender, List.copyOf(messages));
  }

  private List<String> entries(JsonNode node) {
    JsonNode array = requiredArray(node, "entries");
    if (array.isEmpty()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'entries' must not be empty");
    }
    List<String> entries = new ArrayList<>(array.size());
    for (JsonNode element : array) {
      if (!element.isTextual() || !Ids.isEntry(element.asText())) {
        throw new ProtocolException(ErrorCode.INVALID_FIELD, "'entries' holds entry ids like '1764291600123-0'");
      }
      entries.add(element.asText());
    }
    return List.copyOf(entries);
  }

  private static String optionalRequestId(JsonNode node) {
    JsonNode id = node.get("id");
    if (id == null || id.isNull()) {
      return null;
    }
    if (!id.isTextual() || !Ids.isRequest(id.asText())) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'id' must be 1-64 characters of [A-Za-z0-9_-]");
    }
    return id.asText();
  }

  private static String account(JsonNode node, String field) {
    String value = requiredText(node, field);
    if (!Ids.isAccount(value)) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' is not an account id");
    }
    return value;
  }

  private static JsonNode requiredArray(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'" + field + "' is required");
    }
    if (!value.isArray()) {
      throw new ProtocolException(ErrorCode.INVALID_FIELD, "'" + field + "' must be an array");
    }
    return value;
  }

  /**
   * Standard base64 with its padding (RFC 4648 §4): the JDK's decoder alone also takes unpadded text, so the length
   * is checked first. Used for every base64 field clients send.
   */
  public static boolean isPaddedBase64(String text) {
    if (text.length() % 4 != 0) {
      return false;
    }
    try {
      Base64.getDecoder().decode(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The decoded size of standard base64 text, without decoding it. */
  private static long decodedLength(String base64) {
    long length = base64.length();
    long padding = base64.endsWith("==") ? 2 : base64.endsWith("=") ? 1 : 0;
    return length / 4 * 3 + (length % 4 == 0 ? 0 : length % 4 - 1) - padding;
  }

  /** Error frames echo the request id, which is only known once the frame has parsed. */
  private static ProtocolException withRequestId(ProtocolException e, String id) {
    return id == null ? e : e.forRequest(id);
  }

  /** Writes one server frame as JSON text. */
  public String encode(ServerFrame frame) {
    return ServerFrameWriter.write(frame, FACTORY);
  }
}
