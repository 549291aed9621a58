package io.courier.auth;

import io.courier.config.CourierConfig.AuthConfig;
import io.courier.config.CourierConfig.ExternalIssuerConfig;
import io.courier.config.Secrets;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Issues and verifies access tokens with vertx-auth-jwt.
 *
 * <p>Every token first has its shape and claim types checked ({@link TokenClaims}: {@code exp} is required).
 * Own tokens: ES256 only, signed with {@link SigningKeys}; {@code iss}, {@code aud} and {@code exp} are
 * checked with {@code auth.leeway} (external tokens too). Because the only configured key is an ES256 key, a token whose header
 * names another algorithm (including {@code none} and the HS256 key-confusion trick) finds no key and fails.
 * External tokens: when {@code auth.external} is set, a token whose (unverified) {@code iss} names that issuer
 * is verified against its keys instead; the routing by {@code iss} only chooses the key set, it trusts nothing.
 *
 * <p>ES256 signatures are checked by BoringSSL through Conscrypt where its native library loads, else by Bouncy
 * Castle, both many times faster than JDK 17's SunEC ({@link Es256Provider}, installed by {@link #create}).
 *
 * @implNote Verification proves the token; whether its device still exists (logout) is {@link Accounts}'s
 * check, made at every handshake.
 */
public final class TokenService {
  /** How often an external issuer's JWKS is fetched again (key rotation). */
  private static final long JWKS_REFRESH_MS = 10 * 60 * 1000;

  private final AuthConfig config;
  private final JWTAuth own;
  private volatile JWTAuth external;

  private TokenService(AuthConfig config, JWTAuth own) {
    this.config = config;
    this.own = own;
  }

  /** Creates the service; with an external JWKS issuer, completes once the JWKS has been fetched. */
  public static Future<TokenService> create(Vertx vertx, AuthConfig config, SigningKeys keys,
      Map<String, String> environment) {
    // Before any JWTAuth exists: it picks its Signature implementation when it is created.
    Es256Provider.install();
    JWTAuth own = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(keys.privatePem()))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("ES256").setBuffer(keys.publicPem()))
        .setJWTOptions(new JWTOptions()
            .setIssuer(config.issuer())
            .setAudience(List.of(config.audience()))
            .setLeeway((int) config.leeway().toSeconds())));
    TokenService service = new TokenService(config, own);
    ExternalIssuerConfig ext = config.external();
    if (ext == null) {
      return Future.succeededFuture(service);
    }
    if (ext.jwksUrl() == null || ext.jwksUrl().isBlank()) {
      String pem = Secrets.resolve(ext.publicKeyPem(), environment);
      JWTAuthOptions options = service.externalOptions(ext);
      ext.algorithms().forEach(alg -> options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(pem)));
      service.external = JWTAuth.create(vertx, options);
      return Future.succeededFuture(service);
    }
    WebClient http = WebClient.create(vertx);
    vertx.setPeriodic(JWKS_REFRESH_MS, id -> service.fetchJwks(vertx, http, ext));
    return service.fetchJwks(vertx, http, ext).map(service);
  }

  private Future<Void> fetchJwks(Vertx vertx, WebClient http, ExternalIssuerConfig ext) {
    return http.getAbs(ext.jwksUrl()).send()
        .map(response -> {
          if (response.statusCode() != 200) {
            throw new IllegalStateException("JWKS " + ext.jwksUrl() + " answered " + response.statusCode());
          }
          JsonArray keys = response.bodyAsJsonObject().getJsonArray("keys", new JsonArray());
          List<JsonObject> jwks = new ArrayList<>();
          keys.forEach(key -> jwks.add((JsonObject) key));
          external = JWTAuth.create(vertx, externalOptions(ext).setJwks(jwks));
          return null;
        });
  }

  private JWTAuthOptions externalOptions(ExternalIssuerConfig ext) {
    return new JWTAuthOptions().setJWTOptions(new JWTOptions()
        .setIssuer(ext.issuer())
        .setAudience(List.of(ext.audience()))
        .setLeeway((int) config.leeway().toSeconds()));
  }

  /** A signed access token for {@code device}, valid for {@code auth.accessTokenTtl}. */
  public String issueAccessToken(DeviceId device) {
    return own.generateToken(
        new JsonObject().put("dev", device.device()).put("jti", UUID.randomUUID().toString()),
        new JWTOptions()
            .setAlgorithm("ES256")
            .setIssuer(config.issuer())
            .setAudience(List.of(config.audience()))
            .setSubject(device.account())
            .setExpiresInSeconds((int) config.accessTokenTtl().toSeconds()));
  }

  /**
   * The device a token speaks for, or a {@code TOKEN_*} refusal: {@code TOKEN_INVALID} for a token of the wrong
   * shape ({@link TokenClaims}), a bad signature, another issuer or audience, or one not valid yet;
   * {@code TOKEN_EXPIRED} only for a correctly signed token whose {@code exp} has passed. Never fails otherwise.
   */
  public Future<VerifiedToken> verify(String token) {
    TokenClaims claims;
    try {
      claims = TokenClaims.read(token);
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
    JWTAuth external = this.external;
    boolean isExternal = external != null && config.external().issuer().equals(claims.issuer());
    String deviceClaim = isExternal ? config.external().deviceClaim() : "dev";
    DeviceId device;
    try {
      device = claims.device(deviceClaim);
    } catch (ProtocolException e) {
      return Future.failedFuture(e);
    }
    return authenticate(isExternal ? external : own, token)
        .recover(e -> Future.failedFuture(refusal(e, claims)))
        .map(user -> new VerifiedToken(device, isExternal));
  }

  /** vertx-auth-jwt's check, whose exceptions (thrown or failed) all become refusals. */
  private static Future<User> authenticate(JWTAuth verifier, String token) {
    try {
      return verifier.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * A verified token.
   *
   * @param device   the account and device it speaks for
   * @param external whether an external identity provider issued it
   */
  public record VerifiedToken(DeviceId device, boolean external) {}

  /**
   * vertx-auth-jwt says "expired" for a passed {@code exp} and also for an {@code iat} or {@code nbf} in the future;
   * only the first is {@code TOKEN_EXPIRED} (refreshing helps), the others are {@code TOKEN_INVALID}.
   */
  private ProtocolException refusal(Throwable e, TokenClaims claims) {
    String message = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    long now = System.currentTimeMillis() / 1000;
    if (message.contains("expired") && claims.expiresAt() <= now - config.leeway().toSeconds()) {
      return new ProtocolException(ErrorCode.TOKEN_EXPIRED, "the access token has expired; refresh it");
    }
    if (message.contains("expired")) {
      return new ProtocolException(ErrorCode.TOKEN_INVALID, "the access token is not valid yet ('nbf' or 'iat' "
          + "in the future)");
    }
    return new ProtocolException(ErrorCode.TOKEN_INVALID, "the access token is not valid");
  }
}
