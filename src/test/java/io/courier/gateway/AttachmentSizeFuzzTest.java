package io.courier.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolException;
import java.math.BigInteger;
import java.util.Set;

/**
 * The {@code POST /v1/attachments} body: its {@code size} is read as exactly the number the client sent, or the
 * body is refused with {@code MALFORMED_JSON}, {@code MISSING_FIELD} or {@code INVALID_FIELD}. (What the size may
 * be, {@code ATTACHMENT_TOO_LARGE}, is the attachment service's check.) Corpus:
 * {@code src/test/resources/io/courier/gateway/AttachmentSizeFuzzTestInputs/readSize/}.
 */
class AttachmentSizeFuzzTest {
  static final Set<ErrorCode> CODES = Set.of(ErrorCode.MALFORMED_JSON, ErrorCode.MISSING_FIELD,
      ErrorCode.INVALID_FIELD);

  @FuzzTest(maxDuration = "10s")
  void readSize(byte[] input) {
    String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
    try {
      JsonNode body = FrameCodec.parseObject(text);
      long size = MediaApi.size(body);
      assertThat(body.get("size").bigIntegerValue()).isEqualTo(BigInteger.valueOf(size));
    } catch (ProtocolException e) {
      assertThat(e.code()).as(text).isIn(CODES);
    }
  }
}
