package io.courier.auth;

import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.Ids;
import io.courier.protocol.ProtocolException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A JWT's header and claims, read before its signature is checked and refused unless every claim the server uses
 * has its registered type (RFC 8725 §3.10, RFC 7519 §4.1): {@code exp} is required and, like {@code iat} and
 * {@code nbf} when present, a number; {@code iss} and {@code sub} are strings; {@code aud} is a string or an array
 * of strings; the device claim, when present, is an integer from 1; the header names its {@code alg} as a string
 * and has no {@code crit} (RFC 7515 §4.1.11: this server understands no extension).
 *
 * <p>Why before the signature: vertx-auth-jwt reads these claims with typed getters, so a correctly signed token
 * with a string {@code exp} made it throw a {@link ClassCastException} (an {@code INTERNAL} answer), and a token
 * without {@code exp} never expired. The shape check decides nothing the signature could change: every refusal
 * here is {@code TOKEN_INVALID}, as a bad signature is. vertx-auth-jwt then verifies the signature over exactly the
 * bytes read here (the same base64url segments, decoded the same way).
 *
 * @param header the JOSE header
 * @param claims the claims set
 */
record TokenClaims(JsonObject header, JsonObject claims) {
  private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();

  /** The header and claims of a compact JWS, or {@code TOKEN_INVALID} naming what is wrong. */
  static TokenClaims read(String token) {
    String[] segments = token.split("\\.", -1);
    if (segments.length != 3 || segments[2].isEmpty()) {
      throw invalid("the access token is not a signed JWT (header.claims.signature)");
    }
    TokenClaims read = new TokenClaims(object(segments[0], "header"), object(segments[1], "claims"));
    read.checkHeader();
    read.checkClaims();
    return read;
  }

  /** The {@code iss} claim (a string, checked). */
  String issuer() {
    return claims.getString("iss");
  }

  /** The {@code exp} claim in seconds since the epoch (a number, checked). */
  long expiresAt() {
    return ((Number) claims.getValue("exp")).longValue();
  }

  /** The account ({@code sub}) and device ({@code deviceClaim}, 1 when absent or not configured). */
  DeviceId device(String deviceClaim) {
    String account = claims.getString("sub");
    if (!Ids.isAccount(account)) {
      throw invalid("the token's subject is not an account id");
    }
    Object device = deviceClaim == null ? null : claims.getValue(deviceClaim);
    if (device == null) {
      return new DeviceId(account, 1);
    }
    long number = isInteger(device) ? ((Number) device).longValue() : 0;
    if (number < 1 || number > Integer.MAX_VALUE) {
      throw invalid("the token's '" + deviceClaim + "' claim is not a device number");
    }
    return new DeviceId(account, (int) number);
  }

  private static JsonObject object(String segment, String part) {
    try {
      return new JsonObject(new String(BASE64URL.decode(segment), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      // IllegalArgumentException (base64), DecodeException (JSON) or ClassCastException (not an object).
      throw invalid("the access token's " + part + " is not base64url JSON");
    }
  }

  private void checkHeader() {
    if (!(header.getValue("alg") instanceof String)) {
      throw invalid("the token's header has no 'alg'");
    }
    requireType(header, "kid", String.class, false);
    if (header.containsKey("crit")) {
      throw invalid("the token names critical header extensions, which this server does not support");
    }
  }

  private void checkClaims() {
    requireType(claims, "exp", Number.class, true);
    requireType(claims, "iat", Number.class, false);
    requireType(claims, "nbf", Number.class, false);
    requireType(claims, "iss", String.class, true);
    requireType(claims, "sub", String.class, true);
    Object aud = claims.getValue("aud");
    if (!(aud instanceof String) && !(aud instanceof JsonArray array && isStrings(array))) {
      throw invalid("the token's 'aud' claim is not a string or an array of strings");
    }
  }

  private static void requireType(JsonObject json, String name, Class<?> type, boolean required) {
    Object value = json.getValue(name);
    if (value == null ? required || json.containsKey(name) : !type.isInstance(value)) {
      throw invalid(value == null && required ? "the token has no '" + name + "' claim"
          : "the token's '" + name + "' is not a " + (type == Number.class ? "number" : "string"));
    }
  }

  private static boolean isStrings(JsonArray array) {
    for (Object element : array) {
      if (!(element instanceof String)) {
        return false;
      }
    }
    return true;
  }

  /** JSON integers parse as Integer or Long (BigInteger beyond, out of range anyway); 1.0 and 1.5 are Double. */
  private static boolean isInteger(Object value) {
    return value instanceof Integer || value instanceof Long;
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.TOKEN_INVALID, message);
  }
}
