package io.courier.auth;

import io.courier.config.CourierConfig.AuthConfig;
import io.courier.limits.RateLimiter;
import io.courier.protocol.DeviceId;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.Ids;
import io.courier.protocol.ProtocolException;
import io.courier.redis.RedisScript;
import io.courier.redis.StoreFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Accounts and their devices in Redis (keys in {@link AccountRedisKeys}): register, log in (which creates a
 * device), refresh, and the handshake's "does this device still exist" check. Devices themselves are
 * {@link Devices}'.
 *
 * <p>Log-in: rate limit per username, bcrypt check off the event loop, {@code HINCRBY nextDevice}, the device
 * record, a refresh token (stored as its SHA-256), and an access token. Refresh tokens read
 * {@code <account>:<device>:<secret>} and are rotated on use by {@code auth_rotate_refresh.lua}.
 *
 * @implNote Logging out ({@link Devices#remove}) deletes the device record, which every later handshake and
 * refresh checks:
 * revocation takes effect at once for new connections, while access tokens themselves stay signed until they
 * expire. Devices of external-issuer tokens are created at their first handshake; an external subject can never
 * be a local account (nor a local registration take an id already seen from the external issuer), so an identity
 * provider cannot speak for a local user.
 */
public final class Accounts {
  /** Shortest password accepted. */
  public static final int MIN_PASSWORD_CHARS = 8;
  /** Longest password accepted (UTF-16 units); every byte of it counts (see PasswordHasher). */
  public static final int MAX_PASSWORD_CHARS = 64;
  /** Longest device name kept; longer names are cut. */
  private static final int MAX_DEVICE_NAME_CHARS = 64;
  private static final RedisScript ROTATE_REFRESH = RedisScript.load("auth_rotate_refresh.lua");
  private static final RedisScript REGISTER = RedisScript.load("auth_register.lua");
  private static final RedisScript EXTERNAL_DEVICE = RedisScript.load("auth_external_device.lua");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final Redis redis;
  private final AuthConfig config;
  private final PasswordHasher hasher;
  private final TokenService tokens;
  private final RateLimiter loginLimiter;
  private final Devices devices;

  public Accounts(Vertx vertx, Redis redis, AuthConfig config, TokenService tokens, RateLimiter loginLimiter,
      Devices devices) {
    this.vertx = vertx;
    this.redis = redis;
    this.config = config;
    this.hasher = new PasswordHasher(config.bcryptCost());
    this.tokens = tokens;
    this.loginLimiter = loginLimiter;
    this.devices = devices;
  }

  /**
   * What a log-in or refresh returns.
   *
   * @param device       the device the tokens are for
   * @param accessToken  the signed JWT
   * @param expiresIn    its lifetime, seconds
   * @param refreshToken the single-use refresh token
   */
  public record Session(DeviceId device, String accessToken, long expiresIn, String refreshToken) {}

  public Future<Void> register(String username, String password) {
    if (!Ids.isAccount(username)) {
      return Future.failedFuture(new ProtocolException(ErrorCode.INVALID_USERNAME,
          "usernames are 3-32 characters: lower-case letters, digits, '_', '.', '-', starting with a letter or digit"));
    }
    if (password.length() < MIN_PASSWORD_CHARS || password.length() > MAX_PASSWORD_CHARS) {
      return Future.failedFuture(new ProtocolException(ErrorCode.INVALID_PASSWORD,
          "passwords are " + MIN_PASSWORD_CHARS + " to " + MAX_PASSWORD_CHARS + " characters"));
    }
    return vertx.executeBlocking(() -> hasher.hash(password), false)
        .compose(hash -> REGISTER.run(redis, List.of(AccountRedisKeys.account(username)),
            List.of(hash, Long.toString(System.currentTimeMillis()))))
        .<Void>compose(created -> created.toInteger() == 1
            ? Future.succeededFuture()
            : Future.failedFuture(new ProtocolException(ErrorCode.USERNAME_TAKEN, "the username is taken")))
        .recover(StoreFailures::unavailable);
  }

  /** Checks the password and creates a new device with its tokens. */
  public Future<Session> login(String username, String password, String deviceName) {
    if (!Ids.isAccount(username) || password.length() > MAX_PASSWORD_CHARS) {
      return Future.failedFuture(badCredentials());
    }
    return loginLimiter.take(username)
        .compose(v -> redis.send(Request.cmd(Command.HGET).arg(AccountRedisKeys.account(username)).arg("password")))
        .compose(hash -> vertx.executeBlocking(() -> hasher.matches(hash == null ? null : hash.toString(), password),
            false))
        .compose(ok -> ok ? devices.create(username, deviceName(deviceName)) : Future.failedFuture(badCredentials()))
        .compose(this::newSession)
        .recover(StoreFailures::unavailable);
  }

  /** Exchanges a refresh token for a new session of the same device (the refresh token rotates). */
  public Future<Session> refresh(String refreshToken) {
    String[] parts = refreshToken.split(":", 3);
    if (parts.length != 3 || !Ids.isAccount(parts[0]) || !parts[1].matches("[1-9][0-9]{0,8}")) {
      return Future.failedFuture(invalidRefresh());
    }
    DeviceId device = new DeviceId(parts[0], Integer.parseInt(parts[1]));
    String next = newRefreshToken(device);
    return ROTATE_REFRESH.run(redis,
            List.of(AccountRedisKeys.refreshToken(device.account(), device.device()),
                AccountRedisKeys.devices(device.account())),
            List.of(parts[1], sha256(refreshToken), sha256(next),
                Long.toString(config.refreshTokenTtl().toMillis())))
        .compose(result -> switch (result.toInteger()) {
          case 1 -> Future.succeededFuture(new Session(device, tokens.issueAccessToken(device),
              config.accessTokenTtl().toSeconds(), next));
          case -1 -> Future.failedFuture(new ProtocolException(ErrorCode.TOKEN_REVOKED,
              "the device was logged out; log in again"));
          default -> Future.failedFuture(invalidRefresh());
        })
        .recover(StoreFailures::unavailable);
  }

  /**
   * The handshake's check that a verified token's device still exists; an external issuer's device is
   * created on first sight instead.
   */
  public Future<DeviceId> checkDevice(TokenService.VerifiedToken token) {
    DeviceId device = token.device();
    String key = AccountRedisKeys.devices(device.account());
    if (token.external()) {
      String record = new JsonObject().put("name", "external").put("created", System.currentTimeMillis())
          .put("external", true).encode();
      return EXTERNAL_DEVICE.run(redis, List.of(AccountRedisKeys.account(device.account()), key),
              List.of(Integer.toString(device.device()), record))
          .<DeviceId>compose(result -> result.toInteger() == 1
              ? Future.succeededFuture(device)
              : Future.failedFuture(new ProtocolException(ErrorCode.TOKEN_INVALID,
                  "the token's subject is a local account")))
          .recover(StoreFailures::unavailable);
    }
    return redis.send(Request.cmd(Command.HEXISTS).arg(key).arg(device.device()))
        .compose(exists -> exists.toInteger() == 1
            ? Future.succeededFuture(device)
            : Future.failedFuture(loggedOut()))
        .recover(StoreFailures::unavailable);
  }

  /** The refusal of a token whose device is no longer listed: it was logged out. */
  public static ProtocolException loggedOut() {
    return new ProtocolException(ErrorCode.TOKEN_REVOKED, "the device was logged out; log in again");
  }

  /** A session (tokens) for a device just created by log-in or link. */
  public Future<Session> newSession(DeviceId device) {
    String refreshToken = newRefreshToken(device);
    return redis.send(Request.cmd(Command.SET).arg(AccountRedisKeys.refreshToken(device.account(), device.device()))
            .arg(sha256(refreshToken)).arg("PX").arg(config.refreshTokenTtl().toMillis()))
        .map(ok -> new Session(device, tokens.issueAccessToken(device), config.accessTokenTtl().toSeconds(),
            refreshToken));
  }

  /** A device name as stored: at most {@value #MAX_DEVICE_NAME_CHARS} characters, "device" when none. */
  public static String deviceName(String name) {
    return name == null ? "device" : name.substring(0, Math.min(name.length(), MAX_DEVICE_NAME_CHARS));
  }

  private static String newRefreshToken(DeviceId device) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    return device.account() + ":" + device.device() + ":"
        + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ProtocolException badCredentials() {
    return new ProtocolException(ErrorCode.BAD_CREDENTIALS, "unknown username or wrong password");
  }

  private static ProtocolException invalidRefresh() {
    return new ProtocolException(ErrorCode.TOKEN_INVALID, "the refresh token is unknown, used or expired");
  }
}
