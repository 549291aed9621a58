package io.courier.routing;

import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  private NodeMessages() {}

  /** One decoded message: the signal for each device named. */
  record Delivery(Map<DeviceId, Signal> signals) {}

  /** Wake-ups for devices of {@code account}; those without an entry travel as plain wake-ups. */
  static String entries(String account, Map<Integer, Signal.Wake> wakes) {
    JsonArray items = new JsonArray();
    wakes.forEach((device, wake) -> {
      JsonObject item = new JsonObject().put("d", device);
      if (wake.entry() != null) {
        item.put("p", wake.previous()).put("e", entry(wake.entry()));
      }
      items.add(item);
    });
    return ENTRIES + new JsonObject().put("a", account).put("w", items).encode();
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
      deliveries.add(decode(message));
    }
    return deliveries;
  }

  static Delivery decode(String text) {
    if (text.startsWith(ENTRIES)) {
      return decodeEntries(new JsonObject(text.substring(ENTRIES.length())));
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

  private static Delivery decodeEntries(JsonObject message) {
    String account = message.getString("a");
    Map<DeviceId, Signal> signals = new LinkedHashMap<>();
    for (Object o : message.getJsonArray("w")) {
      JsonObject item = (JsonObject) o;
      JsonObject entry = item.getJsonObject("e");
      signals.put(new DeviceId(account, item.getInteger("d")),
          entry == null ? Signal.WAKE : new Signal.Wake(entry(entry), item.getString("p")));
    }
    return new Delivery(signals);
  }

  private static JsonObject entry(ServerFrame.Entry entry) {
    if (entry instanceof ServerFrame.Message m) {
      JsonObject json = new JsonObject().put("k", "m").put("n", m.entry()).put("i", m.id()).put("f", m.from())
          .put("fd", m.fromDevice()).put("at", m.at()).put("c", m.ciphertext());
      return m.to() == null ? json : json.put("t", m.to());
    }
    ServerFrame.Receipt r = (ServerFrame.Receipt) entry;
    return new JsonObject().put("k", r.kind().wire()).put("n", r.entry()).put("f", r.by()).put("fd", r.byDevice())
        .put("at", r.at()).put("ids", new JsonArray(new ArrayList<>(r.ids())));
  }

  private static ServerFrame.Entry entry(JsonObject json) {
    String kind = json.getString("k");
    if ("m".equals(kind)) {
      return new ServerFrame.Message(json.getString("n"), json.getString("i"), json.getString("f"),
          json.getInteger("fd"), json.getLong("at"), json.getString("c"), json.getString("t"));
    }
    List<String> ids = new ArrayList<>();
    json.getJsonArray("ids").forEach(id -> ids.add((String) id));
    return new ServerFrame.Receipt(json.getString("n"), ReceiptKind.fromWire(kind), json.getString("f"),
        json.getInteger("fd"), ids, json.getLong("at"));
  }
}
