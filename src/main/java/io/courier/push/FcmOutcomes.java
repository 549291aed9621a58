package io.courier.push;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * FCM HTTP v1 answers as {@link PushOutcome}s. An error body is Google's {@code {"error":{"code","status",
 * "message","details":[...]}}}; its {@code google.firebase.fcm.v1.FcmError} detail carries FCM's {@code errorCode},
 * a {@code google.rpc.BadRequest} detail the offending fields.
 *
 * <table>
 *   <caption>the mapping</caption>
 *   <tr><th>answer</th><th>outcome</th><th>why</th></tr>
 *   <tr><td>200</td><td>Accepted</td><td></td></tr>
 *   <tr><td>404 {@code UNREGISTERED}</td><td>Gone</td><td>the app was uninstalled or the token replaced</td></tr>
 *   <tr><td>400 {@code INVALID_ARGUMENT} naming {@code message.token}</td><td>Gone</td><td>not a token</td></tr>
 *   <tr><td>400 {@code INVALID_ARGUMENT} otherwise</td><td>Failed</td><td>our message is wrong: retrying or
 *       removing the registration would not fix it</td></tr>
 *   <tr><td>403 {@code SENDER_ID_MISMATCH}</td><td>Failed</td><td>the token belongs to another Firebase project;
 *       the same answer comes for every token when {@code push.fcm.projectId} names the wrong project, and removing
 *       them all on a configuration mistake would be far worse than keeping one dead token</td></tr>
 *   <tr><td>429 {@code QUOTA_EXCEEDED}, 5xx</td><td>Retry</td><td>after {@code Retry-After} when sent</td></tr>
 *   <tr><td>401, 403, other 4xx</td><td>Failed</td><td>the credential or the request is refused</td></tr>
 * </table>
 */
final class FcmOutcomes {
  static final String FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError";
  static final String BAD_REQUEST = "type.googleapis.com/google.rpc.BadRequest";
  /** The field FCM names when the token itself is malformed. */
  static final String TOKEN_FIELD = "message.token";

  private FcmOutcomes() {}

  static PushOutcome of(int status, String retryAfter, String body) {
    if (status == 200) {
      return new PushOutcome.Accepted();
    }
    JsonObject error = error(body);
    String code = errorCode(error, status);
    if ("UNREGISTERED".equals(code) || "INVALID_ARGUMENT".equals(code) && namesTheToken(error)) {
      return new PushOutcome.Gone(code);
    }
    if (status == 429 || status >= 500) {
      return new PushOutcome.Retry(retryAfter(retryAfter, Instant.now()), code);
    }
    return new PushOutcome.Failed(code);
  }

  /** FCM's {@code errorCode}, else the error's {@code status}, else the HTTP status. */
  private static String errorCode(JsonObject error, int status) {
    for (Object detail : details(error)) {
      if (detail instanceof JsonObject d && FCM_ERROR.equals(d.getString("@type")) && d.getValue("errorCode")
          instanceof String code) {
        return code;
      }
    }
    return error.getValue("status") instanceof String s ? s : String.valueOf(status);
  }

  private static boolean namesTheToken(JsonObject error) {
    for (Object detail : details(error)) {
      if (detail instanceof JsonObject d && BAD_REQUEST.equals(d.getString("@type"))
          && d.getValue("fieldViolations") instanceof JsonArray violations) {
        for (Object violation : violations) {
          if (violation instanceof JsonObject v && TOKEN_FIELD.equals(v.getValue("field"))) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static JsonArray details(JsonObject error) {
    return error.getValue("details") instanceof JsonArray details ? details : new JsonArray();
  }

  /** The {@code error} object of a body, empty when the body is not Google's error shape (a proxy's page). */
  private static JsonObject error(String body) {
    try {
      return body != null && new JsonObject(body).getValue("error") instanceof JsonObject e ? e : new JsonObject();
    } catch (DecodeException | ClassCastException e) {
      return new JsonObject();
    }
  }

  /** {@code Retry-After} in seconds or as an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.trim();
    if (value.chars().allMatch(Character::isDigit)) {
      return value.length() > 9 ? null : Duration.ofSeconds(Long.parseLong(value));
    }
    try {
      Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
