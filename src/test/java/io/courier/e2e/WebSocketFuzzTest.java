package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.courier.client.Session;
import io.courier.protocol.ErrorCode;
import io.courier.testing.LoggedExceptions;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Any WebSocket message to a running server, on one connection: raw text or binary, or a frame of a known type
 * whose fields the fuzzer fills (recipients that exist or not, devices, registration ids, ciphertexts, entry and
 * message ids). Every answer is a frame of §4 and every error carries a code of §5; the connection stays open
 * (a ping after each message gets its pong) and the server logs no exception. The error budget is raised to its
 * maximum, so that refusals do not close the connection in a short run; a long run that spends it is closed
 * with 4429, as documented, and goes on on a new connection.
 * Corpus: {@code src/test/resources/io/courier/e2e/WebSocketFuzzTestInputs/sendAnyMessage/}.
 */
class WebSocketFuzzTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("limits.maxErrorsPerMinute=1000000");

  private static final Set<String> CODES = Arrays.stream(ErrorCode.values()).map(Enum::name)
      .collect(Collectors.toSet());
  private static final Set<String> SERVER_FRAMES = Set.of("message", "receipt", "sent", "ok", "pong", "drained",
      "error");
  private static final List<String> TYPES = List.of("send", "ack", "read", "ping");

  static Session me;
  static Session peer;
  static WireClient socket;
  static LoggedExceptions logged;
  static long pings;

  @BeforeAll
  static void setUp() {
    me = SERVER.accounts().register("fuzz");
    peer = SERVER.accounts().register("peer");
    socket = SERVER.connect(me);
    logged = LoggedExceptions.watch();
  }

  @AfterAll
  static void tearDown() {
    socket.close();
    logged.close();
  }

  @FuzzTest(maxDuration = "10s")
  void sendAnyMessage(FuzzedDataProvider data) {
    if (socket.isClosed()) {
      assertThat(socket.awaitClose().code()).as("only the error budget closes this connection").isEqualTo(4429);
      socket = SERVER.connect(me);
    }
    String what;
    switch (data.consumeInt(0, 2)) {
      case 0 -> {
        byte[] bytes = data.consumeRemainingAsBytes();
        socket.sendBinary(bytes);
        what = "binary " + Base64.getEncoder().encodeToString(bytes);
      }
      case 1 -> {
        what = data.consumeRemainingAsString();
        socket.sendText(what);
      }
      default -> {
        what = frame(data).encode();
        socket.sendText(what);
      }
    }
    String ping = "fuzz-" + pings++;
    socket.send(new JsonObject().put("type", "ping").put("id", ping));
    for (JsonObject frame = socket.next(); !isPong(frame, ping); frame = socket.next()) {
      if (socket.isClosed() && socket.pending() == 0 && socket.awaitClose().code() == 4429) {
        return;
      }
      assertThat(frame.getString("type")).as(what).isIn(SERVER_FRAMES);
      if ("error".equals(frame.getString("type"))) {
        assertThat(frame.getString("code")).as(what).isIn(CODES);
        assertThat(frame.getString("message")).as(what).isNotBlank();
      }
    }
    assertThat(socket.isClosed()).as(what).isFalse();
    logged.assertNone(what);
  }

  private static boolean isPong(JsonObject frame, String id) {
    return "pong".equals(frame.getString("type")) && id.equals(frame.getString("id"));
  }

  /** A frame of a known type (or a made-up one) with fields the fuzzer fills, some right, some not. */
  private static JsonObject frame(FuzzedDataProvider data) {
    String type = data.consumeBoolean() ? data.pickValue(TYPES) : data.consumeString(12);
    JsonObject frame = new JsonObject().put("type", type);
    if (data.consumeBoolean()) {
      frame.put("id", data.consumeString(40));
    }
    frame.put("to", data.consumeBoolean() ? data.pickValue(List.of(peer.account(), me.account()))
        : data.consumeString(40));
    frame.put("sender", data.consumeBoolean() ? peer.account() : data.consumeString(40));
    JsonArray envelopes = new JsonArray();
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      JsonObject envelope = new JsonObject().put("device", data.consumeInt(-1, 6));
      if (data.consumeBoolean()) {
        envelope.put("registrationId", data.consumeInt(-1, 16_381));
      }
      envelope.put("ciphertext", data.consumeBoolean()
          ? Base64.getEncoder().encodeToString(data.consumeBytes(64)) : data.consumeString(64));
      envelopes.add(envelope);
    }
    frame.put(data.consumeBoolean() ? "envelopes" : "sync", envelopes);
    JsonArray ids = new JsonArray();
    for (int i = data.consumeInt(0, 3); i > 0; i--) {
      ids.add(data.consumeString(40));
    }
    frame.put(data.consumeBoolean() ? "entries" : "messages", ids);
    return frame;
  }
}
