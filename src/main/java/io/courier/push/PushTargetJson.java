package io.courier.push;

import com.fasterxml.jackson.databind.JsonNode;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.spec.ECFieldFp;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the body of {@code PUT /v1/push} into a {@link PushTarget}, checking every field (docs/PROTOCOL.md §1
 * "Push"): {@code MISSING_FIELD} for an absent one, {@code INVALID_FIELD} for a wrong type, shape or size, or for a
 * field the kind does not have. The result is canonical (APNs tokens in lower case, base64url without padding), so
 * one token always gives one {@link PushRegistrations#digest digest}. Whether a Web Push endpoint's host may be
 * called is {@link EndpointGuard}'s to decide, after this.
 */
public final class PushTargetJson {
  /** APNs device tokens: 32 bytes today; Apple says they may grow, so up to 100 bytes (200 hex digits). */
  static final int APNS_TOKEN_MIN_HEX = 64;
  static final int APNS_TOKEN_MAX_HEX = 200;
  /** Bundle ids (the APNs topic, with a {@code .voip}-style suffix): Apple caps them at 155 characters. */
  static final int MAX_TOPIC_CHARS = 155;
  /** FCM registration tokens are about 160 characters; no documented maximum, so a generous 4,096. */
  static final int FCM_TOKEN_MIN_CHARS = 32;
  static final int FCM_TOKEN_MAX_CHARS = 4_096;
  /** Web Push endpoints: push services' URLs are a few hundred characters; 2,048 is the common URL cap. */
  static final int MAX_ENDPOINT_CHARS = 2_048;
  /** {@code p256dh}: an uncompressed P-256 point (0x04, x, y). */
  static final int P256DH_BYTES = 65;
  /** {@code auth}: the subscription's authentication secret (RFC 8291 §3.2). */
  static final int AUTH_BYTES = 16;

  private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]+");
  private static final Pattern BUNDLE_ID = Pattern.compile("[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+");
  private static final Pattern FCM_TOKEN = Pattern.compile("[A-Za-z0-9_:.-]+");
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+={0,2}");
  private static final Set<String> APNS_FIELDS = Set.of("kind", "token", "topic", "sandbox");
  private static final Set<String> FCM_FIELDS = Set.of("kind", "token");
  private static final Set<String> WEBPUSH_FIELDS = Set.of("kind", "endpoint", "keys");
  private static final Set<String> WEBPUSH_KEYS = Set.of("p256dh", "auth");
  private static final ECParameterSpec P256 = p256();

  private PushTargetJson() {}

  /**
   * The target {@code body} describes.
   *
   * @param allowHttp whether {@code http:} endpoints are accepted ({@code push.allowPrivateTargets}: tests and
   *                  development only)
   */
  public static PushTarget read(JsonNode body, boolean allowHttp) {
    String kind = text(body, "kind");
    return switch (kind) {
      case "apns" -> apns(body);
      case "fcm" -> fcm(body);
      case "webpush" -> webPush(body, allowHttp);
      default -> throw invalid("'kind' must be apns, fcm or webpush");
    };
  }

  private static PushTarget.Apns apns(JsonNode body) {
    onlyFields(body, APNS_FIELDS, "");
    String token = text(body, "token");
    if (token.length() < APNS_TOKEN_MIN_HEX || token.length() > APNS_TOKEN_MAX_HEX || token.length() % 2 != 0
        || !HEX.matcher(token).matches()) {
      throw invalid("'token' must be an APNs device token: an even number of hex digits, " + APNS_TOKEN_MIN_HEX
          + " to " + APNS_TOKEN_MAX_HEX);
    }
    String topic = text(body, "topic");
    if (topic.length() > MAX_TOPIC_CHARS || !BUNDLE_ID.matcher(topic).matches()) {
      throw invalid("'topic' must be the app's bundle id (letters, digits, '-', at least two parts joined by '.', "
          + "at most " + MAX_TOPIC_CHARS + " characters)");
    }
    JsonNode sandbox = body.get("sandbox");
    if (sandbox != null && !sandbox.isNull() && !sandbox.isBoolean()) {
      throw invalid("'sandbox' must be true or false");
    }
    return new PushTarget.Apns(token.toLowerCase(Locale.ROOT), topic, sandbox != null && sandbox.asBoolean());
  }

  private static PushTarget.Fcm fcm(JsonNode body) {
    onlyFields(body, FCM_FIELDS, "");
    String token = text(body, "token");
    if (token.length() < FCM_TOKEN_MIN_CHARS || token.length() > FCM_TOKEN_MAX_CHARS
        || !FCM_TOKEN.matcher(token).matches()) {
      throw invalid("'token' must be an FCM registration token: " + FCM_TOKEN_MIN_CHARS + " to "
          + FCM_TOKEN_MAX_CHARS + " characters of letters, digits, '_', '-', ':' and '.'");
    }
    return new PushTarget.Fcm(token);
  }

  private static PushTarget.WebPush webPush(JsonNode body, boolean allowHttp) {
    onlyFields(body, WEBPUSH_FIELDS, "");
    String endpoint = endpoint(text(body, "endpoint"), allowHttp);
    JsonNode keys = body.get("keys");
    if (keys == null || keys.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'keys' is required");
    }
    if (!keys.isObject()) {
      throw invalid("'keys' must be an object with 'p256dh' and 'auth'");
    }
    onlyFields(keys, WEBPUSH_KEYS, "keys.");
    byte[] p256dh = base64url(keys, "p256dh", P256DH_BYTES);
    if (!isP256Point(p256dh)) {
      throw invalid("'keys.p256dh' is not an uncompressed point on P-256");
    }
    byte[] auth = base64url(keys, "auth", AUTH_BYTES);
    Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
    return new PushTarget.WebPush(endpoint, encoder.encodeToString(p256dh), encoder.encodeToString(auth));
  }

  /** An absolute {@code https} URL with a host, no user info and no fragment. */
  static String endpoint(String text, boolean allowHttp) {
    if (text.length() > MAX_ENDPOINT_CHARS) {
      throw invalid("'endpoint' is at most " + MAX_ENDPOINT_CHARS + " characters");
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid("'endpoint' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
      throw invalid("'endpoint' must be an https URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw invalid("'endpoint' must name a host, with no user info and no fragment");
    }
    return uri.toString();
  }

  private static byte[] base64url(JsonNode keys, String field, int size) {
    String text = text(keys, field, "keys." + field);
    if (!BASE64URL.matcher(text).matches()) {
      throw invalid("'keys." + field + "' must be base64url (RFC 4648 §5)");
    }
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw invalid("'keys." + field + "' must be base64url (RFC 4648 §5)");
    }
    if (bytes.length != size) {
      throw invalid("'keys." + field + "' must be " + size + " bytes, got " + bytes.length);
    }
    return bytes;
  }

  /** Whether {@code point} is 0x04 ‖ x ‖ y with x, y below the field's prime and y² = x³ + ax + b. */
  static boolean isP256Point(byte[] point) {
    if (point.length != P256DH_BYTES || point[0] != 0x04) {
      return false;
    }
    BigInteger p = ((ECFieldFp) P256.getCurve().getField()).getP();
    BigInteger x = new BigInteger(1, Arrays.copyOfRange(point, 1, 33));
    BigInteger y = new BigInteger(1, Arrays.copyOfRange(point, 33, 65));
    if (x.compareTo(p) >= 0 || y.compareTo(p) >= 0) {
      return false;
    }
    BigInteger right = x.pow(3).add(P256.getCurve().getA().multiply(x)).add(P256.getCurve().getB()).mod(p);
    return y.pow(2).mod(p).equals(right);
  }

  private static void onlyFields(JsonNode node, Set<String> allowed, String prefix) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw invalid("'" + prefix + name + "' is not a field of this kind of target");
      }
    }
  }

  private static String text(JsonNode node, String field) {
    return text(node, field, field);
  }

  private static String text(JsonNode node, String field, String shown) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'" + shown + "' is required");
    }
    if (!value.isTextual()) {
      throw invalid("'" + shown + "' must be a string");
    }
    return value.asText();
  }

  private static ProtocolException invalid(String message) {
    return new ProtocolException(ErrorCode.INVALID_FIELD, message);
  }

  private static ECParameterSpec p256() {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
