package io.courier.prekeys;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.courier.prekeys.PreKeys.Bundle;
import io.courier.prekeys.PreKeys.DeviceKeys;
import io.courier.prekeys.PreKeys.PreKey;
import io.courier.prekeys.PreKeys.PreKeyBatch;
import io.courier.prekeys.PreKeys.SignedPreKey;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads uploaded key material from request bodies, checking every size and shape (docs/PROTOCOL.md §1 "Keys"),
 * and writes stored keys as JSON. Signatures are not verified here: clients verify bundles with libsignal.
 */
public final class PreKeyJson {
  /** Serialized EC public keys (and identity keys): a type byte 0x05 and 32 bytes. */
  static final int EC_PUBLIC_KEY_BYTES = 33;
  /** Serialized Kyber-1024 public keys: a type byte and 1,568 bytes. */
  static final int KYBER_PUBLIC_KEY_BYTES = 1_569;
  static final int SIGNATURE_BYTES = 64;
  /** Pre-key ids are 24-bit in the Signal protocol. */
  static final int MAX_PRE_KEY_ID = 0xFF_FFFF;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final int maxPerUpload;

  public PreKeyJson(int maxPerUpload) {
    this.maxPerUpload = maxPerUpload;
  }

  public DeviceKeys deviceKeys(JsonNode body) {
    String identityKey = key(body, "identityKey", EC_PUBLIC_KEY_BYTES);
    JsonNode registrationId = body.get("registrationId");
    if (registrationId == null || registrationId.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'registrationId' is required");
    }
    // canConvertToInt: asInt() cuts a larger number to its low 32 bits (4294967297 would read as 1).
    if (!registrationId.isIntegralNumber() || !registrationId.canConvertToInt() || registrationId.asInt() < 1
        || registrationId.asInt() > FrameCodec.MAX_REGISTRATION_ID) {
      throw new ProtocolException(ErrorCode.INVALID_KEY, "'registrationId' must be from 1 to "
          + FrameCodec.MAX_REGISTRATION_ID);
    }
    return new DeviceKeys(identityKey, registrationId.asInt(),
        signed(required(body, "signedPreKey"), "signedPreKey", EC_PUBLIC_KEY_BYTES),
        signed(required(body, "lastResortKyberPreKey"), "lastResortKyberPreKey", KYBER_PUBLIC_KEY_BYTES),
        preKeys(body.get("preKeys")), kyberPreKeys(body.get("kyberPreKeys")));
  }

  public PreKeyBatch batch(JsonNode body) {
    JsonNode signed = body.get("signedPreKey");
    return new PreKeyBatch(preKeys(body.get("preKeys")), kyberPreKeys(body.get("kyberPreKeys")),
        signed == null || signed.isNull() ? null : signed(signed, "signedPreKey", EC_PUBLIC_KEY_BYTES));
  }

  private List<PreKey> preKeys(JsonNode array) {
    List<PreKey> keys = new ArrayList<>();
    for (JsonNode element : list(array, "preKeys")) {
      keys.add(new PreKey(id(element, "preKeys"), key(element, "publicKey", EC_PUBLIC_KEY_BYTES)));
    }
    return keys;
  }

  private List<SignedPreKey> kyberPreKeys(JsonNode array) {
    List<SignedPreKey> keys = new ArrayList<>();
    for (JsonNode element : list(array, "kyberPreKeys")) {
      keys.add(signed(element, "kyberPreKeys", KYBER_PUBLIC_KEY_BYTES));
    }
    return keys;
  }

  private JsonNode list(JsonNode array, String field) {
    if (array == null || array.isNull()) {
      return MAPPER.createArrayNode();
    }
    if (!array.isArray()) {
      throw new ProtocolException(ErrorCode.INVALID_KEY, "'" + field + "' must be an array");
    }
    if (array.size() > maxPerUpload) {
      throw new ProtocolException(ErrorCode.TOO_MANY_PREKEYS, "at most " + maxPerUpload + " " + field
          + " per upload");
    }
    return array;
  }

  private static SignedPreKey signed(JsonNode node, String field, int keyBytes) {
    if (!node.isObject()) {
      throw new ProtocolException(ErrorCode.INVALID_KEY, "'" + field + "' must be an object");
    }
    return new SignedPreKey(id(node, field), key(node, "publicKey", keyBytes), key(node, "signature",
        SIGNATURE_BYTES));
  }

  private static int id(JsonNode node, String field) {
    JsonNode id = node.get("id");
    if (id == null || !id.isIntegralNumber() || !id.canConvertToInt() || id.asInt() < 0
        || id.asInt() > MAX_PRE_KEY_ID) {
      throw new ProtocolException(ErrorCode.INVALID_KEY, "'" + field + "' ids are integers from 0 to "
          + MAX_PRE_KEY_ID);
    }
    return id.asInt();
  }

  private static JsonNode required(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || value.isNull()) {
      throw new ProtocolException(ErrorCode.MISSING_FIELD, "'" + field + "' is required");
    }
    return value;
  }

  /** A base64 field that must decode to exactly {@code bytes} bytes. */
  private static String key(JsonNode node, String field, int bytes) {
    JsonNode value = required(node, field);
    if (!value.isTextual() || !FrameCodec.isPaddedBase64(value.asText())) {
      throw new ProtocolException(ErrorCode.INVALID_KEY, "'" + field + "' is not standard base64 (RFC 4648 §4, "
          + "padded)");
    }
    if (Base64.getDecoder().decode(value.asText()).length != bytes) {
      throw new ProtocolException(ErrorCode.INVALID_KEY, "'" + field + "' must be " + bytes + " bytes");
    }
    return value.asText();
  }

  /** The stored form of a key record: compact JSON. */
  static String write(Object key) {
    try {
      return MAPPER.writeValueAsString(key);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code GET /v1/keys/...} answer. */
  public static String bundles(String account, List<Bundle> bundles) {
    return write(new BundleAnswer(account, bundles));
  }

  private record BundleAnswer(String account, List<Bundle> devices) {}
}
