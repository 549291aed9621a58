package io.courier.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** The JSON text of each {@link ServerFrame} (docs/PROTOCOL.md §4), streamed field by field: no tree per frame. */
final class ServerFrameWriter {
  private ServerFrameWriter() {}

  static String write(ServerFrame frame, JsonFactory factory) {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator g = factory.createGenerator(out)) {
      g.writeStartObject();
      // Java 17 has no pattern switch; the chain is exhaustive over the sealed ServerFrame.
      if (frame instanceof ServerFrame.Message m) {
        g.writeStringField("type", "message");
        g.writeStringField("entry", m.entry());
        g.writeStringField("id", m.id());
        g.writeStringField("from", m.from());
        g.writeNumberField("fromDevice", m.fromDevice());
        g.writeNumberField("at", m.at());
        g.writeStringField("ciphertext", m.ciphertext());
        writeOptional(g, "to", m.to());
      } else if (frame instanceof ServerFrame.Receipt r) {
        g.writeStringField("type", "receipt");
        g.writeStringField("entry", r.entry());
        g.writeStringField("kind", r.kind().wire());
        g.writeStringField("by", r.by());
        g.writeNumberField("byDevice", r.byDevice());
        g.writeArrayFieldStart("ids");
        for (String id : r.ids()) {
          g.writeString(id);
        }
        g.writeEndArray();
        g.writeNumberField("at", r.at());
      } else if (frame instanceof ServerFrame.Sent s) {
        g.writeStringField("type", "sent");
        g.writeStringField("id", s.id());
        g.writeNumberField("at", s.at());
      } else if (frame instanceof ServerFrame.Drained) {
        g.writeStringField("type", "drained");
      } else if (frame instanceof ServerFrame.Pong p) {
        g.writeStringField("type", "pong");
        writeOptional(g, "id", p.id());
      } else if (frame instanceof ServerFrame.Ok o) {
        g.writeStringField("type", "ok");
        writeOptional(g, "id", o.id());
      } else if (frame instanceof ServerFrame.Error e) {
        g.writeStringField("type", "error");
        writeOptional(g, "id", e.id());
        g.writeStringField("code", e.code().name());
        g.writeStringField("message", e.message());
        g.writeBooleanField("temporary", e.code().temporary());
        if (e.retryAfter() > 0) {
          g.writeNumberField("retryAfter", e.retryAfter());
        }
        if (e.devices() != null) {
          writeDevices(g, e.devices());
        }
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeDevices(JsonGenerator g, DeviceSetMismatch devices) throws IOException {
    g.writeStringField("account", devices.account());
    writeNumbers(g, "missing", devices.missing());
    writeNumbers(g, "extra", devices.extra());
    writeNumbers(g, "stale", devices.stale());
  }

  private static void writeNumbers(JsonGenerator g, String field, List<Integer> numbers) throws IOException {
    if (numbers.isEmpty()) {
      return;
    }
    g.writeArrayFieldStart(field);
    for (int n : numbers) {
      g.writeNumber(n);
    }
    g.writeEndArray();
  }

  private static void writeOptional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }
}
