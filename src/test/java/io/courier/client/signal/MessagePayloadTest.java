package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MessagePayloadTest {

  @Test
  void aDirectPayloadRoundTripsAndIsPaddedToTheBlockSize() {
    byte[] body = "hello".getBytes(StandardCharsets.UTF_8);

    byte[] payload = MessagePayload.direct(body);

    assertThat(payload).hasSize(MessagePayload.PAD_BLOCK);
    assertThat(payload[0]).isEqualTo((byte) MessagePayload.VERSION);
    MessagePayload.Decoded decoded = MessagePayload.decode(payload);
    assertThat(decoded.body()).isEqualTo(body);
    assertThat(decoded.conversation()).isNull();
  }

  @Test
  void aSyncPayloadCarriesTheConversation() {
    byte[] body = new byte[400];
    body[399] = 0; // trailing zeros of the app's bytes survive the padding

    MessagePayload.Decoded decoded = MessagePayload.decode(MessagePayload.sync("bob.smith", body));

    assertThat(decoded.conversation()).isEqualTo("bob.smith");
    assertThat(decoded.body()).isEqualTo(body);
    assertThat(MessagePayload.sync("bob.smith", body).length % MessagePayload.PAD_BLOCK).isZero();
  }

  @Test
  void emptyBodiesAndBodiesThatFillABlockExactlyWork() {
    assertThat(MessagePayload.decode(MessagePayload.direct(new byte[0])).body()).isEmpty();
    byte[] full = new byte[MessagePayload.PAD_BLOCK - 3];
    assertThat(MessagePayload.direct(full)).hasSize(MessagePayload.PAD_BLOCK);
    assertThat(MessagePayload.decode(MessagePayload.direct(full)).body()).isEqualTo(full);
  }

  @Test
  void otherVersionsKindsAndBadPaddingAreRefused() {
    byte[] payload = MessagePayload.direct(new byte[] {1, 2, 3});
    byte[] otherVersion = payload.clone();
    otherVersion[0] = 2;
    byte[] otherKind = payload.clone();
    otherKind[1] = 9;

    assertThatThrownBy(() -> MessagePayload.decode(otherVersion)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessagePayload.decode(otherKind)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessagePayload.decode(new byte[160])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MessagePayload.decode(new byte[] {1, 1, 2, 'a', 'b', (byte) 0x80}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
