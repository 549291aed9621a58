package io.courier.client.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class AttachmentPointerTest {

  static AttachmentPointer pointer(String fileName) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 7);
    byte[] nonce = new byte[12];
    Arrays.fill(nonce, (byte) 9);
    byte[] digest = new byte[32];
    Arrays.fill(digest, (byte) 0xAB);
    return new AttachmentPointer("R2x0c3k3b2xvZ0l0IHNl_-", key, nonce, digest, 1_234_567, 1_234_583,
        "image/jpeg", fileName);
  }

  @Test
  void aPointerRoundTripsThroughItsMessageBytes() {
    AttachmentPointer pointer = pointer("photo.jpg");

    byte[] message = pointer.toMessage();

    assertThat(AttachmentPointer.isPointer(message)).isTrue();
    assertThat(Arrays.copyOf(message, 4)).containsExactly(0xFF, 'A', 'T', 'T');
    assertThat(AttachmentPointer.fromMessage(message)).isEqualTo(pointer);
    JsonObject json = new JsonObject(new String(message, 4, message.length - 4, StandardCharsets.UTF_8));
    assertThat(json.fieldNames()).containsExactlyInAnyOrder("v", "id", "key", "nonce", "digest", "plaintextSize",
        "ciphertextSize", "contentType", "fileName");
    assertThat(json.getInteger("v")).isEqualTo(1);
  }

  @Test
  void noTextMessageIsTakenForAPointer() {
    assertThat(AttachmentPointer.isPointer("hello".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(AttachmentPointer.isPointer("\u00ffATT{\"v\":1}".getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(AttachmentPointer.isPointer(new byte[] {(byte) 0xFF, 'A', 'T'})).isFalse();
    assertThat(AttachmentPointer.isPointer(new byte[0])).isFalse();
  }

  @Test
  void unknownFieldsAreIgnoredAndOtherVersionsRefused() {
    byte[] message = pointer("a.png").toMessage();
    JsonObject json = new JsonObject(new String(message, 4, message.length - 4, StandardCharsets.UTF_8));

    assertThat(AttachmentPointer.fromMessage(withJson(json.copy().put("thumbnail", "..."))).fileName())
        .isEqualTo("a.png");
    assertThatThrownBy(() -> AttachmentPointer.fromMessage(withJson(json.copy().put("v", 2))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 2");
    assertThatThrownBy(() -> AttachmentPointer.fromMessage(withJson(json.copy().put("key", "AAAA"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("key");
    assertThatThrownBy(() -> AttachmentPointer.fromMessage(withJson(json.copy().put("ciphertextSize", 5))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AttachmentPointer.fromMessage(withJson(json.copy().put("id", "../x"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AttachmentPointer.fromMessage(new byte[] {(byte) 0xFF, 'A', 'T', 'T', '{'}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSafeFileNameNeverLeavesTheFolderNorHidesTheFile() {
    assertThat(pointer("photo.jpg").safeFileName()).isEqualTo("photo.jpg");
    assertThat(pointer("../../.bashrc").safeFileName()).isEqualTo("bashrc");
    assertThat(pointer("C:\\Users\\me\\evil.exe").safeFileName()).isEqualTo("evil.exe");
    assertThat(pointer("..").safeFileName()).isEqualTo("attachment");
    assertThat(pointer("").safeFileName()).isEqualTo("attachment");
    assertThat(pointer("a\u0000b\nc?.txt").safeFileName()).isEqualTo("a_b_c_.txt");
    assertThat(pointer("x".repeat(200) + ".jpeg").safeFileName()).hasSize(120).endsWith(".jpeg");
  }

  @Test
  void theKeyStaysOutOfToStringAndCopiesProtectIt() {
    AttachmentPointer pointer = pointer("photo.jpg");

    assertThat(pointer.toString()).contains("photo.jpg", "1234567").doesNotContain("BwcHBwcH", "[B@");
    pointer.key()[0] = 1;
    assertThat(pointer.key()[0]).isEqualTo((byte) 7);
  }

  private static byte[] withJson(JsonObject json) {
    byte[] body = json.encode().getBytes(StandardCharsets.UTF_8);
    byte[] message = Arrays.copyOf(AttachmentPointer.MARKER, 4 + body.length);
    System.arraycopy(body, 0, message, 4, body.length);
    return message;
  }
}
