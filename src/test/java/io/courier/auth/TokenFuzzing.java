package io.courier.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.config.CourierConfig;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Vertx;
import java.security.KeyPair;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** A {@link TokenService} on the default auth settings with a fresh key, and the oracle its fuzz targets share. */
final class TokenFuzzing {
  /** What a refused token may be answered with (PROTOCOL.md §2). */
  static final Set<ErrorCode> REFUSALS = Set.of(ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_EXPIRED);
  static final KeyPair KEYS = SigningKeys.generate();
  private static final Vertx VERTX = Vertx.vertx();
  static final TokenService SERVICE = start();

  private TokenFuzzing() {}

  private static TokenService start() {
    SigningKeys keys = new SigningKeys(SigningKeys.pem("PRIVATE KEY", KEYS.getPrivate().getEncoded()),
        SigningKeys.pem("PUBLIC KEY", KEYS.getPublic().getEncoded()));
    try {
      return TokenService.create(VERTX, CourierConfig.defaults().auth(), keys, java.util.Map.of())
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Verifies {@code token}: a device, or a documented refusal; any other outcome fails the target. */
  static TokenService.VerifiedToken verify(String token) throws Exception {
    try {
      return SERVICE.verify(token).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).as(token).isInstanceOf(ProtocolException.class);
      assertThat(((ProtocolException) e.getCause()).code()).as(token).isIn(REFUSALS);
      return null;
    }
  }
}
