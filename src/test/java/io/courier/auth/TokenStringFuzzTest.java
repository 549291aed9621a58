package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Any string presented as a bearer token is refused with {@code TOKEN_INVALID} or {@code TOKEN_EXPIRED}, never
 * another failure (a fuzzer does not forge an ES256 signature, so nothing is accepted). Corpus:
 * {@code src/test/resources/io/courier/auth/TokenStringFuzzTestInputs/verifyAnyString/}.
 */
class TokenStringFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void verifyAnyString(byte[] input) throws Exception {
    assertThat(TokenFuzzing.verify(new String(input, java.nio.charset.StandardCharsets.UTF_8))).isNull();
  }
}
