package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClientOptionsTest {

  private static final TokenSource TOKENS = TokenSource.fixed("token");

  @Test
  void clientOptionsDefaultToTheDocumentedValues() {
    ClientOptions options = ClientOptions.create(URI.create("http://127.0.0.1:8080"), TOKENS);

    assertThat(options.backoffBase()).isEqualTo(Duration.ofMillis(250));
    assertThat(options.backoffMax()).isEqualTo(Duration.ofSeconds(30));
    assertThat(options.dedupCapacity()).isEqualTo(10_000);
    assertThat(options.maxFrameBytes()).isEqualTo(262_144);
    assertThat(options.listener()).isSameAs(ClientListener.NONE);
    assertThat(options.ackDelay()).isZero();
  }

  @Test
  void clientOptionsPointTheSocketAtV1Ws() {
    ClientOptions plain = ClientOptions.create(URI.create("http://127.0.0.1:8080"), TOKENS);
    ClientOptions tls = ClientOptions.create(URI.create("https://chat.example/courier/"), TOKENS);

    assertThat(plain.webSocketPath()).isEqualTo("/v1/ws");
    assertThat(plain.port()).isEqualTo(8080);
    assertThat(plain.tls()).isFalse();
    assertThat(tls.webSocketPath()).isEqualTo("/courier/v1/ws");
    assertThat(tls.port()).isEqualTo(443);
    assertThat(tls.tls()).isTrue();
  }

  @Test
  void clientOptionsUseTlsOnlyForHttpsAndWss() {
    assertThat(ClientOptions.create(URI.create("ws://127.0.0.1:8080"), TOKENS).tls()).isFalse();
    assertThat(ClientOptions.create(URI.create("wss://127.0.0.1:8443"), TOKENS).tls()).isTrue();
    assertThat(ClientOptions.create(URI.create("ws://127.0.0.1"), TOKENS).port()).isEqualTo(80);
  }

  @Test
  void clientOptionsRefuseANegativeOrLongAckDelay() {
    ClientOptions options = ClientOptions.create(URI.create("http://127.0.0.1:8080"), TOKENS);
    assertThat(options.withAckDelay(Duration.ofMillis(10)).ackDelay()).isEqualTo(Duration.ofMillis(10));
    assertThat(options.withAckDelay(ClientOptions.MAX_ACK_DELAY).ackDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThatThrownBy(() -> options.withAckDelay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> options.withAckDelay(Duration.ofMillis(1001)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void clientOptionsRefuseOtherSchemesAndInvertedBackoff() {
    URI server = URI.create("http://127.0.0.1:8080");

    assertThatThrownBy(() -> ClientOptions.create(URI.create("ftp://127.0.0.1"), TOKENS))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ClientOptions.create(server, TOKENS)
        .withBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
