package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * Any text a client sends decodes to a frame or is refused with one of the codec's documented codes (PROTOCOL.md
 * §5), never another exception; what it accepts keeps the client's values exactly (no number cut to fit an int).
 * Corpus: {@code src/test/resources/io/courier/protocol/FrameCodecFuzzTestInputs/decodeClientFrame/}.
 */
class FrameCodecFuzzTest {
  /** The codes {@link FrameCodec#decodeClientFrame} may answer. */
  static final Set<ErrorCode> CODEC_CODES = EnumSet.of(ErrorCode.MALFORMED_JSON, ErrorCode.UNKNOWN_FRAME_TYPE,
      ErrorCode.MISSING_FIELD, ErrorCode.INVALID_FIELD, ErrorCode.TOO_MANY_ENVELOPES, ErrorCode.ENVELOPE_TOO_LARGE,
      ErrorCode.FORBIDDEN_SENDER);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  // Small limits, so the fuzzer reaches them with short inputs.
  private final FrameCodec codec = new FrameCodec(new ProtocolLimits(4, 64, 4));

  @FuzzTest(maxDuration = "10s")
  void decodeClientFrame(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    ClientFrame frame;
    try {
      frame = codec.decodeClientFrame(text);
    } catch (ProtocolException e) {
      assertThat(e.code()).as(text).isIn(CODEC_CODES);
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    JsonNode tree = MAPPER.readTree(text);
    assertThat(frame.id()).isEqualTo(tree.hasNonNull("id") ? tree.get("id").asText() : null);
    if (frame instanceof ClientFrame.Send send) {
      assertThat(send.envelopes()).isNotEmpty();
      for (int i = 0; i < send.envelopes().size(); i++) {
        assertExact(send.envelopes().get(i), tree.get("envelopes").get(i));
      }
    }
  }

  private static void assertExact(ClientFrame.OutgoingEnvelope envelope, JsonNode json) {
    assertThat(json.get("device").bigIntegerValue()).isEqualTo(java.math.BigInteger.valueOf(envelope.device()));
    JsonNode registrationId = json.get("registrationId");
    if (registrationId != null && !registrationId.isNull()) {
      assertThat(registrationId.bigIntegerValue()).isEqualTo(java.math.BigInteger.valueOf(envelope.registrationId()));
    }
    assertThat(FrameCodec.isPaddedBase64(envelope.ciphertext())).isTrue();
  }
}
