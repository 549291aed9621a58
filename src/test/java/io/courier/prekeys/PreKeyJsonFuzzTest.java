package io.courier.prekeys;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolException;
import java.math.BigInteger;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

/**
 * A key upload body ({@code PUT /v1/keys} or {@code POST /v1/keys/prekeys}) is read into key records or refused
 * with a documented code (PROTOCOL.md §1 "Keys"); what is accepted holds the client's exact numbers and padded
 * standard base64 of the documented sizes. Corpus:
 * {@code src/test/resources/io/courier/prekeys/PreKeyJsonFuzzTestInputs/readUpload/} (first byte: odd for a
 * {@code PUT /v1/keys} body, even for a top-up; the rest is the body).
 */
class PreKeyJsonFuzzTest {
  static final Set<ErrorCode> UPLOAD_CODES = EnumSet.of(ErrorCode.MALFORMED_JSON, ErrorCode.MISSING_FIELD,
      ErrorCode.INVALID_KEY, ErrorCode.TOO_MANY_PREKEYS);
  private final PreKeyJson json = new PreKeyJson(3);

  @FuzzTest(maxDuration = "10s")
  void readUpload(FuzzedDataProvider data) {
    boolean identity = data.consumeBoolean();
    String text = data.consumeRemainingAsString();
    try {
      JsonNode body = FrameCodec.parseObject(text);
      if (identity) {
        PreKeys.DeviceKeys keys = json.deviceKeys(body);
        assertThat(BigInteger.valueOf(keys.registrationId())).isEqualTo(body.get("registrationId").bigIntegerValue());
        assertKey(keys.identityKey(), PreKeyJson.EC_PUBLIC_KEY_BYTES);
        assertSigned(keys.signedPreKey(), body.get("signedPreKey"), PreKeyJson.EC_PUBLIC_KEY_BYTES);
        assertSigned(keys.lastResortKyberPreKey(), body.get("lastResortKyberPreKey"),
            PreKeyJson.KYBER_PUBLIC_KEY_BYTES);
      } else {
        PreKeys.PreKeyBatch batch = json.batch(body);
        for (int i = 0; i < batch.preKeys().size(); i++) {
          assertThat(BigInteger.valueOf(batch.preKeys().get(i).id()))
              .isEqualTo(body.get("preKeys").get(i).get("id").bigIntegerValue());
          assertKey(batch.preKeys().get(i).publicKey(), PreKeyJson.EC_PUBLIC_KEY_BYTES);
        }
        if (batch.signedPreKey() != null) {
          assertSigned(batch.signedPreKey(), body.get("signedPreKey"), PreKeyJson.EC_PUBLIC_KEY_BYTES);
        }
      }
    } catch (ProtocolException e) {
      assertThat(e.code()).as(text).isIn(UPLOAD_CODES);
    }
  }

  private static void assertSigned(PreKeys.SignedPreKey key, JsonNode json, int keyBytes) {
    assertThat(BigInteger.valueOf(key.id())).isEqualTo(json.get("id").bigIntegerValue());
    assertKey(key.publicKey(), keyBytes);
    assertKey(key.signature(), PreKeyJson.SIGNATURE_BYTES);
  }

  private static void assertKey(String base64, int bytes) {
    assertThat(FrameCodec.isPaddedBase64(base64)).as(base64).isTrue();
    assertThat(Base64.getDecoder().decode(base64)).hasSize(bytes);
  }
}
