package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Tokens correctly signed with the server's key whose claims are anything: each claim the server reads is absent,
 * right, or of another JSON type, or the claims are arbitrary bytes. The answer is a device only for claims of the
 * registered types with {@code exp} in the future, and otherwise {@code TOKEN_INVALID} or {@code TOKEN_EXPIRED}
 * (before the fix, a string {@code exp} threw a ClassCastException and a missing one was accepted). Corpus:
 * {@code src/test/resources/io/courier/auth/TokenClaimsFuzzTestInputs/verifySignedClaims/}.
 */
class TokenClaimsFuzzTest {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final List<String> CLAIMS = List.of("iss", "aud", "sub", "dev", "exp", "iat", "nbf", "jti");

  @FuzzTest(maxDuration = "10s")
  void verifySignedClaims(FuzzedDataProvider data) throws Exception {
    long now = System.currentTimeMillis() / 1000;
    JsonObject header = new JsonObject().put("alg", "ES256").put("typ", "JWT");
    if (data.consumeBoolean()) {
      header.put(data.pickValue(List.of("kid", "crit", "typ", "alg")), value(data, "x", now));
    }
    byte[] claims;
    if (data.consumeBoolean()) {
      claims = data.consumeBytes(512);
    } else {
      JsonObject json = new JsonObject();
      for (String claim : CLAIMS) {
        Object value = value(data, valid(claim, now), now);
        if (value != Absent.VALUE) {
          json.put(claim, value);
        }
      }
      claims = json.encode().getBytes(StandardCharsets.UTF_8);
    }
    TokenService.VerifiedToken verified = TokenFuzzing.verify(sign(header, claims));
    if (verified != null) {
      JsonObject accepted = new JsonObject(new String(claims, StandardCharsets.UTF_8));
      assertThat(accepted.getValue("exp")).isInstanceOf(Number.class);
      assertThat(accepted.getLong("exp")).isGreaterThan(now - 10);
      assertThat(verified.device().account()).isEqualTo(accepted.getString("sub"));
      assertThat(verified.device().device()).isPositive();
    }
  }

  private static Object valid(String claim, long now) {
    return switch (claim) {
      case "iss" -> "courier";
      case "aud" -> "courier-clients";
      case "sub" -> "alice";
      case "dev" -> 1;
      case "exp" -> now + 600;
      case "iat", "nbf" -> now - 60;
      default -> "a-jti";
    };
  }

  /** No value: the claim is left out. */
  private enum Absent { VALUE }

  private static Object value(FuzzedDataProvider data, Object valid, long now) {
    return switch (data.consumeInt(0, 10)) {
      case 0 -> Absent.VALUE;
      case 1 -> null;
      case 2 -> data.consumeString(16);
      case 3 -> data.consumeInt();
      case 4 -> data.consumeLong();
      case 5 -> data.consumeDouble();
      case 6 -> data.consumeBoolean();
      case 7 -> new JsonArray().add(valid).add(data.consumeInt());
      case 8 -> new JsonObject().put("v", valid);
      case 9 -> now + data.consumeInt(-1000, 1000);
      default -> valid;
    };
  }

  private static String sign(JsonObject header, byte[] claims) throws Exception {
    String input = B64.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claims);
    Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
    signature.initSign(TokenFuzzing.KEYS.getPrivate());
    signature.update(input.getBytes(StandardCharsets.US_ASCII));
    return input + "." + B64.encodeToString(signature.sign());
  }
}
