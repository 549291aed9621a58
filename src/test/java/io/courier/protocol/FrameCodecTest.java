package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private final FrameCodec codec = new FrameCodec(new ProtocolLimits(2, 8, 3));

  private ErrorCode refusal(String text) {
    try {
      codec.decodeClientFrame(text);
    } catch (ProtocolException e) {
      return e.code();
    }
    throw new AssertionError("accepted: " + text);
  }

  @Test
  void decodesSendWithEnvelopes() {
    ClientFrame frame = codec.decodeClientFrame(
        "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"bob\",\"envelopes\":[{\"device\":2,\"ciphertext\":\"aGk=\"}],"
            + "\"future\":true}");
    assertThat(frame).isEqualTo(new ClientFrame.Send("m1", "bob",
        List.of(new ClientFrame.OutgoingEnvelope(2, "aGk="))));
  }

  @Test
  void decodesSyncCopiesAndRegistrationIds() {
    ClientFrame.Send send = (ClientFrame.Send) codec.decodeClientFrame("{\"type\":\"send\",\"id\":\"m1\","
        + "\"to\":\"bob\",\"envelopes\":[{\"device\":1,\"registrationId\":77,\"ciphertext\":\"aGk=\"}],"
        + "\"sync\":[]}");
    assertThat(send.envelopes()).containsExactly(new ClientFrame.OutgoingEnvelope(1, 77, "aGk="));
    assertThat(send.sync()).isEmpty();
    assertThat(((ClientFrame.Send) codec.decodeClientFrame("{\"type\":\"send\",\"id\":\"m1\",\"to\":\"bob\","
        + "\"envelopes\":[{\"device\":1,\"ciphertext\":\"aGk=\"}]}")).sync()).as("no sync field").isNull();
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"to\":\"bob\",\"envelopes\":[{\"device\":1,"
        + "\"registrationId\":16381,\"ciphertext\":\"aGk=\"}]}")).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"to\":\"bob\",\"envelopes\":[{\"device\":1,"
        + "\"ciphertext\":\"aGk=\"}],\"sync\":[{\"device\":2,\"ciphertext\":\"aGk=\"},"
        + "{\"device\":3,\"ciphertext\":\"aGk=\"}]}")).as("envelopes and sync together are capped")
        .isEqualTo(ErrorCode.TOO_MANY_ENVELOPES);
  }

  @Test
  void encodesDeviceSetErrorsAndSyncCopies() {
    assertThat(codec.encode(new ServerFrame.Error("m1", ErrorCode.MISMATCHED_DEVICES, "differ", 0,
        new DeviceSetMismatch("bob", List.of(2), List.of(3), List.of()))))
        .isEqualTo("{\"type\":\"error\",\"id\":\"m1\",\"code\":\"MISMATCHED_DEVICES\",\"message\":\"differ\","
            + "\"temporary\":false,\"account\":\"bob\",\"missing\":[2],\"extra\":[3]}");
    assertThat(codec.encode(new ServerFrame.Message("1-0", "m1", "alice", 1, 1, "aGk=", "bob")))
        .endsWith(",\"ciphertext\":\"aGk=\",\"to\":\"bob\"}");
  }

  @Test
  void decodesAckReadAndPing() {
    assertThat(codec.decodeClientFrame("{\"type\":\"ack\",\"entries\":[\"1-0\",\"2-5\"]}"))
        .isEqualTo(new ClientFrame.Ack(null, List.of("1-0", "2-5")));
    assertThat(codec.decodeClientFrame("{\"type\":\"read\",\"id\":\"r\",\"sender\":\"alice\",\"messages\":[\"m1\"]}"))
        .isEqualTo(new ClientFrame.Read("r", "alice", List.of("m1")));
    assertThat(codec.decodeClientFrame("{\"type\":\"ping\"}")).isEqualTo(new ClientFrame.Ping(null));
  }

  @Test
  void refusesEachBadShapeWithItsCode() {
    assertThat(refusal("nope")).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(refusal("\"text\"")).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(refusal("{}")).isEqualTo(ErrorCode.UNKNOWN_FRAME_TYPE);
    assertThat(refusal("{\"type\":7}")).isEqualTo(ErrorCode.UNKNOWN_FRAME_TYPE);
    assertThat(refusal("{\"type\":\"send\",\"to\":\"bob\",\"envelopes\":[]}")).isEqualTo(ErrorCode.MISSING_FIELD);
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"envelopes\":[]}")).isEqualTo(ErrorCode.MISSING_FIELD);
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"to\":\"B!\",\"envelopes\":[]}"))
        .isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(refusal("{\"type\":\"send\",\"id\":\"has space\",\"to\":\"bob\",\"envelopes\":[]}"))
        .isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"to\":\"bob\",\"envelopes\":[{\"device\":0,"
        + "\"ciphertext\":\"aGk=\"}]}")).isEqualTo(ErrorCode.INVALID_FIELD);
    assertThat(refusal("{\"type\":\"ack\",\"entries\":[\"abc\"]}")).isEqualTo(ErrorCode.INVALID_FIELD);
  }

  @Test
  void enforcesEnvelopeCountAndCiphertextSize() {
    String three = "[{\"device\":1,\"ciphertext\":\"aGk=\"},{\"device\":2,\"ciphertext\":\"aGk=\"},"
        + "{\"device\":3,\"ciphertext\":\"aGk=\"}]";
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"to\":\"bob\",\"envelopes\":" + three + "}"))
        .isEqualTo(ErrorCode.TOO_MANY_ENVELOPES);
    // 12 base64 characters decode to 9 bytes, one over the limit of 8; 8 bytes pass.
    assertThat(refusal("{\"type\":\"send\",\"id\":\"m\",\"to\":\"bob\",\"envelopes\":[{\"device\":1,"
        + "\"ciphertext\":\"AAAAAAAAAAAA\"}]}")).isEqualTo(ErrorCode.ENVELOPE_TOO_LARGE);
    assertThat(codec.decodeClientFrame("{\"type\":\"send\",\"id\":\"m\",\"to\":\"bob\",\"envelopes\":[{\"device\":1,"
        + "\"ciphertext\":\"AAAAAAAAAAA=\"}]}")).isInstanceOf(ClientFrame.Send.class);
  }

  @Test
  void refusalCarriesTheRequestIdWhenTheFrameHadOne() {
    assertThatThrownBy(() -> codec.decodeClientFrame("{\"type\":\"send\",\"id\":\"m9\",\"from\":\"eve\"}"))
        .isInstanceOfSatisfying(ProtocolException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN_SENDER);
          assertThat(e.requestId()).isEqualTo("m9");
        });
  }

  @Test
  void encodesServerFramesAsDocumented() {
    assertThat(codec.encode(new ServerFrame.Sent("m1", 42))).isEqualTo("{\"type\":\"sent\",\"id\":\"m1\",\"at\":42}");
    assertThat(codec.encode(new ServerFrame.Receipt("5-0", ReceiptKind.READ, "bob", 2, List.of("m1", "m2"), 5)))
        .isEqualTo("{\"type\":\"receipt\",\"entry\":\"5-0\",\"kind\":\"read\",\"by\":\"bob\",\"byDevice\":2,"
            + "\"ids\":[\"m1\",\"m2\"],\"at\":5}");
    assertThat(codec.encode(new ServerFrame.Error(null, ErrorCode.RATE_LIMITED, "slow down", 250)))
        .isEqualTo("{\"type\":\"error\",\"code\":\"RATE_LIMITED\",\"message\":\"slow down\",\"temporary\":true,"
            + "\"retryAfter\":250}");
    assertThat(codec.encode(new ServerFrame.Drained())).isEqualTo("{\"type\":\"drained\"}");
  }

  private static final String VALID_SEND = "{\"type\":\"send\",\"id\":\"m1\",\"to\":\"bob\",\"envelopes\":"
      + "[{\"device\":1,\"ciphertext\":\"aGk=\"}]}";

  @Test
  void refusesTrailingTextAfterTheObject() {
    assertThat(codec.decodeClientFrame(VALID_SEND + " \n")).as("whitespace is fine").isInstanceOf(ClientFrame.Send.class);
    assertThat(refusal(VALID_SEND + "xyz")).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(refusal(VALID_SEND + "{}")).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThat(refusal(VALID_SEND + "]")).isEqualTo(ErrorCode.MALFORMED_JSON);
    assertThatThrownBy(() -> FrameCodec.parseObject("{\"a\":1} 2")).isInstanceOf(ProtocolException.class);
  }

  @Test
  void missingOrNonStringTypeKeepsTheRequestId() {
    for (String frame : List.of("{\"id\":\"t1\"}", "{\"id\":\"t1\",\"type\":7}", "{\"id\":\"t1\",\"type\":null}")) {
      assertThatThrownBy(() -> codec.decodeClientFrame(frame)).as(frame)
          .isInstanceOfSatisfying(ProtocolException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_FRAME_TYPE);
            assertThat(e.requestId()).isEqualTo("t1");
          });
    }
  }

  @Test
  void ciphertextMustBePaddedStandardBase64() {
    for (String bad : List.of("aGk", "aGk==", "aG", "a", "aGk=aGk=", "aGk-", "aGk_", "aG k=")) {
      assertThat(refusal(VALID_SEND.replace("aGk=", bad))).as(bad).isEqualTo(ErrorCode.INVALID_FIELD);
    }
    assertThat(codec.decodeClientFrame(VALID_SEND.replace("aGk=", "aGVsbG8="))).isInstanceOf(ClientFrame.Send.class);
    assertThat(codec.decodeClientFrame(VALID_SEND.replace("aGk=", "aA=="))).isInstanceOf(ClientFrame.Send.class);
  }
}
