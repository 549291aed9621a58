package io.courier.routing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages nodes send each other on their node addresses ({@code courier.node.<node id>}), as short text so
 * they cross a clustered event bus without a codec: {@code entries <json>} (wake-ups, with the entries they
 * carry, see {@link Signal.Wake}), {@code wake <account> <d1,d2,...>} (plain wake-ups, as earlier nodes send them),
 * {@code takeover <account> <device> <epoch>}, {@code logout <account> <device>}, and {@code batch} followed by
 * several of these, each on a line of its own ({@link NodeOutbox}: JSON as encoded here has no raw line breaks). A
 * message of a kind this node does not know (from a newer node) decodes to nothing: dropping a signal is safe,
 * acting on a misread one is not.
 *
 * <p>{@code entries}: {@code {"a":<account>,"w":[{"d":<device>,"p":<previous entry>,"e":<entry>}...]}} where
 * {@code e} is a message {@code {"k":"m","n":<entry>,"i":<id>,"f":<from>,"fd":<device>,"at":<ms>,
 * "c":<ciphertext>,"t":<conversation, optional>}} or a receipt {@code {"k":<kind>,"n":<entry>,"f":<by>,
 * "fd":<device>,"at":<ms>,"ids":[...]}}.
 */
final class NodeMessages {
  private static final String ENTRIES = "entries ";
  private static final String BATCH = "batch\n";
  private static final JsonFactory JSON = new JsonFactory();
  private static final Logger log = LoggerFactory.getLogger(NodeMessages.class);

  private NodeMessages() {}

  /** One decoded message: the signal for each device named. */
  record Delivery(Map<DeviceId, Signal> signals) {}

  /** Wake-ups for devices of {@code account}; those without an entry travel as plain wake-ups. */
  static String entries(String account, Map<Integer, Signal.Wake> wakes) {
    StringWriter out = new StringWriter(256);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("a", account);
      g.writeArrayFieldStart("w");
      for (Map.Entry<Integer, Signal.Wake> wake : wakes.entrySet()) {
        g.writeStartObject();
        g.writeNumberField("d", wake.getKey());
        if (wake.getValue().entry() != null) {
          g.writeStringField("p", wake.getValue().previous());
          g.writeFieldName("e");
          writeEntry(g, wake.getValue().entry());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ENTRIES + out;
  }

  static String takeover(DeviceId device, long epoch) {
    return "takeover " + device.account() + " " + device.device() + " " + epoch;
  }

  static String logout(DeviceId device) {
    return "logout " + device.account() + " " + device.device();
  }

  /** One event-bus message for several node messages; a single one goes as it is. */
  static String batch(List<String> messages) {
    return messages.size() == 1 ? messages.get(0) : BATCH + String.join("\n", messages);
  }

  /** The deliveries of one event-bus message, in the order they were sent. */
  static List<Delivery> decodeAll(String text) {
    if (!text.startsWith(BATCH)) {
      return List.of(decode(text));
    }
    List<Delivery> deliveries = new ArrayList<>();
    for (String message : text.substring(BATCH.length()).split("\n")) {
      try {
        deliveries.add(decode(message));
      } catch (RuntimeException e) {
        // one unreadable message costs its own wake-ups (delivery waits for the next read), not the batch's
        log.warn("dropped a node message that could not be read: {}", e.toString());
      }
    }
    return deliveries;
  }

  static Delivery decode(String text) {
    if (text.startsWith(ENTRIES)) {
      return decodeEntries(text.substring(ENTRIES.length()));
    }
    String[] parts = text.split(" ");
    String account = parts[1];
    switch (parts[0]) {
      case "wake": {
        Map<DeviceId, Signal> signals = new LinkedHashMap<>();
        for (String device : parts[2].split(",")) {
          signals.put(new DeviceId(account, Integer.parseInt(device)), Signal.WAKE);
        }
        return new Delivery(signals);
      }
      case "takeover":
        return new Delivery(Map.of(new DeviceId(account, Integer.parseInt(parts[2])),
            new Signal.Takeover(Long.parseLong(parts[3]))));
      case "logout":
        return new Delivery(Map.of(new DeviceId(account, Integer.parseInt(parts[2])), Signal.LOGGED_OUT));
      default:
        return new Delivery(Map.of());
    }
  }

  /** Read with Jackson's streaming parser: no tree or map per message; unknown fields are skipped. */
  private static Delivery decodeEntries(String json) {
    String account = null;
    List<Integer> devices = new ArrayList<>();
    List<Signal> signals = new ArrayList<>();
    try (JsonParser p = JSON.createParser(json)) {
      expect(p, JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        if ("a".equals(field)) {
          account = p.getText();
        } else if ("w".equals(field) && p.currentToken() == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            readWake(p, devices, signals);
          }
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<DeviceId, Signal> delivery = new LinkedHashMap<>();
    for (int i = 0; i < devices.size(); i++) {
      delivery.put(new DeviceId(Objects.requireNonNull(account, "a"), devices.get(i)), signals.get(i));
    }
    return new Delivery(delivery);
  }

  /** One {@code {"d","p","e"}} item; the parser is at its START_OBJECT. */
  private static void readWake(JsonParser p, List<Integer> devices, List<Signal> signals) throws IOException {
    Integer device = null;
    String previous = null;
    ServerFrame.Entry entry = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "d" -> device = p.getIntValue();
        case "p" -> previous = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
        case "e" -> entry = readEntry(p);
        default -> p.skipChildren();
      }
    }
    devices.add(Objects.requireNonNull(device, "d"));
    signals.add(entry == null ? Signal.WAKE : new Signal.Wake(entry, previous));
  }

  private static void writeEntry(JsonGenerator g, ServerFrame.Entry entry) throws IOException {
    g.writeStartObject();
    if (entry instanceof ServerFrame.Message m) {
      g.writeStringField("k", "m");
      g.writeStringField("n", m.entry());
      g.writeStringField("i", m.id());
      g.writeStringField("f", m.from());
      g.writeNumberField("fd", m.fromDevice());
      g.writeNumberField("at", m.at());
      g.writeStringField("c", m.ciphertext());
      if (m.to() != null) {
        g.writeStringField("t", m.to());
      }
    } else {
      ServerFrame.Receipt r = (ServerFrame.Receipt) entry;
      g.writeStringField("k", r.kind().wire());
      g.writeStringField("n", r.entry());
      g.writeStringField("f", r.by());
      g.writeNumberField("fd", r.byDevice());
      g.writeNumberField("at", r.at());
      g.writeArrayFieldStart("ids");
      for (String id : r.ids()) {
        g.writeString(id);
      }
      g.writeEndArray();
    }
    g.writeEndObject();
  }

  /** An entry object; the parser is at its START_OBJECT. */
  private static ServerFrame.Entry readEntry(JsonParser p) throws IOException {
    String kind = null;
    String entry = null;
    String id = null;
    String from = null;
    int fromDevice = 0;
    long at = 0;
    String ciphertext = null;
    String to = null;
    List<String> ids = new ArrayList<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "k" -> kind = p.getText();
        case "n" -> entry = p.getText();
        case "i" -> id = p.getText();
        case "f" -> from = p.getText();
        case "fd" -> fromDevice = p.getIntValue();
        case "at" -> at = p.getLongValue();
        case "c" -> ciphertext = p.getText();
        case "t" -> to = p.currentToken() == JsonToken.VALUE_NULL ? null : p.getText();
        case "ids" -> {
          while (p.nextToken() == JsonToken.VALUE_STRING) {
            ids.add(p.getText());
          }
        }
        default -> p.skipChildren();
      }
    }
    if ("m".equals(kind)) {
      return new ServerFrame.Message(entry, id, from, fromDevice, at, ciphertext, to);
    }
    return new ServerFrame.Receipt(entry, ReceiptKind.fromWire(kind), from, fromDevice, ids, at);
  }

  private static void expect(JsonParser p, JsonToken token) throws IOException {
    if (p.nextToken() != token) {
      throw new JsonParseException(p, "expected " + token + ", not " + p.currentToken());
    }
  }
}
