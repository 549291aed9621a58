package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The frames of PROTOCOL.md §3, §4 and the §8 transcript, field by field. */
class FramesTest {

  @Test
  void sendFrameUsesTheProtocolFieldNamesWithEnvelopesByDevice() {
    JsonObject frame = Frames.send("m1", "bob", Map.of(2, bytes("yo"), 1, bytes("hi")));

    assertThat(frame).isEqualTo(new JsonObject("""
        {"type":"send","id":"m1","to":"bob","envelopes":[
          {"device":1,"ciphertext":"aGk="},{"device":2,"ciphertext":"eW8="}]}"""));
  }

  @Test
  void sendFrameNeverCarriesASender() {
    assertThat(Frames.send("m1", "bob", Map.of(1, bytes("hi"))).containsKey("from")).isFalse();
  }

  @Test
  void ackFrameListsEntriesWithoutAnId() {
    JsonObject frame = Frames.ack(List.of("1764291600123-0", "1764291600124-0"));

    assertThat(frame).isEqualTo(new JsonObject("""
        {"type":"ack","entries":["1764291600123-0","1764291600124-0"]}"""));
  }

  @Test
  void readFrameNamesTheSenderAndMessages() {
    JsonObject frame = Frames.read("r1", "alice", List.of("m1"));

    assertThat(frame).isEqualTo(new JsonObject("""
        {"type":"read","id":"r1","sender":"alice","messages":["m1"]}"""));
  }

  @Test
  void messageFrameIsReadWithItsCiphertextDecoded() {
    IncomingMessage message = Frames.message(new JsonObject("""
        {"type":"message","entry":"1764291600123-0","id":"m1","from":"alice","fromDevice":1,
         "at":1764291600123,"ciphertext":"aGk=","someFutureField":true}"""));

    assertThat(message.entry()).isEqualTo("1764291600123-0");
    assertThat(message.id()).isEqualTo("m1");
    assertThat(message.from()).isEqualTo("alice");
    assertThat(message.fromDevice()).isEqualTo(1);
    assertThat(message.at()).isEqualTo(1764291600123L);
    assertThat(message.ciphertext()).isEqualTo(bytes("hi"));
  }

  @Test
  void messageFrameWithoutAnEntryIsRefused() {
    JsonObject frame = new JsonObject("""
        {"type":"message","id":"m1","from":"alice","fromDevice":1,"at":1,"ciphertext":"aGk="}""");

    assertThatThrownBy(() -> Frames.message(frame)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void receiptFrameIsReadWithItsEntry() {
    JsonObject frame = new JsonObject("""
        {"type":"receipt","entry":"1764291600200-0","kind":"read","by":"bob","byDevice":1,
         "ids":["m1","m2"],"at":1764291600200}""");

    assertThat(Frames.receipt(frame)).isEqualTo(new Receipt(Receipt.READ, "bob", 1, List.of("m1", "m2"),
        1764291600200L));
    assertThat(Frames.entry(frame)).isEqualTo("1764291600200-0");
  }

  @Test
  void errorFrameKeepsCodeTemporaryAndRetryAfter() {
    CourierException error = Frames.error(new JsonObject("""
        {"type":"error","id":"m1","code":"RATE_LIMITED","message":"too many sends",
         "temporary":true,"retryAfter":250}"""));

    assertThat(error.code()).isEqualTo("RATE_LIMITED");
    assertThat(error.temporary()).isTrue();
    assertThat(error.retryAfterMillis()).isEqualTo(250);
    assertThat(error.status()).isZero();
  }

  @Test
  void errorFrameWithoutTemporaryFallsBackToTheProtocolTable() {
    JsonObject unavailable = new JsonObject("""
        {"type":"error","id":"m1","code":"UNAVAILABLE","message":"store timeout"}""");
    JsonObject unknownDevice = new JsonObject("""
        {"type":"error","id":"m1","code":"UNKNOWN_DEVICE","message":"no device 3"}""");

    assertThat(Frames.error(unavailable).temporary()).isTrue();
    assertThat(Frames.error(unknownDevice).temporary()).isFalse();
  }

  @Test
  void frameTypeAndIdAreNullWhenAbsentOrNotStrings() {
    JsonObject frame = new JsonObject("""
        {"type":7,"code":"UNKNOWN_ENTRY"}""");

    assertThat(Frames.type(frame)).isNull();
    assertThat(Frames.id(frame)).isNull();
    assertThat(Frames.type(new JsonObject("""
        {"type":"drained"}"""))).isEqualTo(Frames.DRAINED);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
