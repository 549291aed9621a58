package io.courier.push;

import com.eatthepath.pushy.apns.ApnsClient;
import com.eatthepath.pushy.apns.ApnsClientBuilder;
import com.eatthepath.pushy.apns.DeliveryPriority;
import com.eatthepath.pushy.apns.PushType;
import com.eatthepath.pushy.apns.auth.ApnsSigningKey;
import com.eatthepath.pushy.apns.util.SimpleApnsPushNotification;
import io.courier.config.PushConfig;
import io.courier.config.Secrets;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wake-ups to iPhones through the Apple Push Notification service: HTTP/2 with token authentication (an ES256 JWT
 * signed with the team's {@code .p8} key), by Pushy. One Pushy client per APNs environment (production,
 * development), each with one HTTP/2 connection opened at the first send, both on one Netty event loop thread of
 * the sender's own.
 *
 * <p>What APNs receives (docs/PUSH-PROVIDERS.md): the device token, the topic (bundle id), {@code apns-push-type
 * alert}, {@code apns-priority 10}, {@code apns-collapse-id} {@link WakeUp#COLLAPSE_ID}, {@code apns-expiration} now
 * plus {@code push.ttl}, and {@link #PAYLOAD}: a mutable-content alert with a constant localization key, for the
 * app's Notification Service Extension, which fetches and decrypts the waiting entries and replaces the alert.
 * Not a background push ({@code content-available}): iOS throttles those to a few an hour, holds them while in Low
 * Power Mode and never delivers them to an app the user force-quit, so a messenger's wake-up would often not come
 * (Signal sends the same mutable-content alert for messages).
 *
 * @implNote Pushy is built on Netty 4.1 and runs here on the Netty 4.2 the Vert.x BOM pins (no 4.1 jar is on the
 *     class path; ApnsNettyCoexistenceTest sends thousands of wake-ups while a Vert.x server serves). It cannot use
 *     Vert.x's event loops (it recognizes only Netty 4.1's group classes), hence a thread of its own.
 */
public final class ApnsSender implements PushSender {
  /**
   * The alert's localization key: the app's {@code Localizable.strings} maps it to its fallback text ("New
   * message"), shown only if the extension does not replace the alert in time.
   */
  public static final String LOC_KEY = "COURIER_WAKE";
  /** The payload of every wake-up: no sender, no text, no count; the key names the app's fallback text. */
  public static final String PAYLOAD = "{\"aps\":{\"alert\":{\"loc-key\":\"" + LOC_KEY
      + "\"},\"mutable-content\":1}}";

  private static final Logger log = LoggerFactory.getLogger(ApnsSender.class);

  /** Event loop threads for both clients: one HTTP/2 connection each needs no more. */
  private static final int THREADS = 1;
  /** Netty's default quiet period (2 s) would hold every close; the clients are closed before the group. */
  private static final long SHUTDOWN_QUIET_MS = 0;
  /** How long the group's shutdown may take once the clients are closed. */
  private static final long SHUTDOWN_TIMEOUT_MS = 2_000;

  private final Vertx vertx;
  private final Duration ttl;
  private final EventLoopGroup group;
  private final ApnsClient production;
  private final ApnsClient development;

  private ApnsSender(Vertx vertx, Duration ttl, EventLoopGroup group, ApnsClient production,
      ApnsClient development) {
    this.vertx = vertx;
    this.ttl = ttl;
    this.group = group;
    this.production = production;
    this.development = development;
  }

  /**
   * A sender for {@code push.apns}; the signing key and trusted certificates are read now.
   *
   * @throws IllegalStateException when the key or the certificates cannot be read or are not what they should be
   */
  public static ApnsSender create(Vertx vertx, PushConfig push, Map<String, String> environment) {
    PushConfig.ApnsConfig config = push.apns();
    EventLoopGroup group = eventLoopGroup();
    try {
      ApnsSigningKey key = ApnsSigningKey.loadFromInputStream(stream(config.signingKey(), environment),
          config.teamId(), config.keyId());
      if (!config.host().isBlank()) {
        ApnsClient only = client(config, environment, key, group, config.host());
        return new ApnsSender(vertx, push.ttl(), group, only, only);
      }
      return new ApnsSender(vertx, push.ttl(), group,
          client(config, environment, key, group, ApnsClientBuilder.PRODUCTION_APNS_HOST),
          client(config, environment, key, group, ApnsClientBuilder.DEVELOPMENT_APNS_HOST));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      group.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("push.apns: " + e.getMessage(), e);
    }
  }

  /**
   * Netty 4.1's NIO group, deprecated in 4.2 (which has {@code MultiThreadIoEventLoopGroup}) but kept by it: Pushy
   * picks its channel classes by the group's class and knows only 4.1's.
   */
  @SuppressWarnings("deprecation")
  private static EventLoopGroup eventLoopGroup() {
    return new NioEventLoopGroup(THREADS);
  }

  private static ApnsClient client(PushConfig.ApnsConfig config, Map<String, String> environment,
      ApnsSigningKey key, EventLoopGroup group, String host) throws IOException {
    ApnsClientBuilder builder = new ApnsClientBuilder().setApnsServer(host, config.port()).setSigningKey(key)
        .setEventLoopGroup(group);
    if (!config.trustedCertificates().isBlank()) {
      builder.setTrustedServerCertificateChain(stream(config.trustedCertificates(), environment));
    }
    return builder.build();
  }

  private static InputStream stream(String reference, Map<String, String> environment) {
    return new ByteArrayInputStream(Secrets.resolve(reference, environment).getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String kind() {
    return "apns";
  }

  @Override
  public Future<PushOutcome> send(PushTarget target) {
    PushTarget.Apns apns = (PushTarget.Apns) target;
    SimpleApnsPushNotification notification = new SimpleApnsPushNotification(apns.token(), apns.topic(), PAYLOAD,
        Instant.now().plus(ttl), DeliveryPriority.IMMEDIATE, PushType.ALERT, WakeUp.COLLAPSE_ID);
    ApnsClient client = apns.sandbox() ? development : production;
    return Future.fromCompletionStage(client.sendNotification(notification), vertx.getOrCreateContext())
        .map(ApnsOutcomes::of)
        .otherwise(ApnsSender::networkFailure)
        .andThen(outcome -> logRefusal(apns, outcome.result()));
  }

  private static PushOutcome networkFailure(Throwable failure) {
    log.debug("apns send failed before an answer: {}", failure.toString());
    return ApnsOutcomes.ofFailure(failure);
  }

  private static void logRefusal(PushTarget.Apns target, PushOutcome outcome) {
    if (!(outcome instanceof PushOutcome.Accepted)) {
      log.debug("apns {} for token {} (topic {}, sandbox {})", outcome, SenderLog.digest(target.token()),
          target.topic(), target.sandbox());
    }
  }

  @Override
  public Future<Void> close() {
    Future<Void> clients = development == production ? Future.fromCompletionStage(production.close())
        : Future.join(Future.fromCompletionStage(production.close()),
            Future.fromCompletionStage(development.close())).mapEmpty();
    return clients.eventually(this::shutDownGroup);
  }

  /** A bridge from Netty's future, whose listener runs on the group's last thread. */
  private Future<Void> shutDownGroup() {
    Promise<Void> done = Promise.promise();
    group.shutdownGracefully(SHUTDOWN_QUIET_MS, SHUTDOWN_TIMEOUT_MS, TimeUnit.MILLISECONDS)
        .addListener(terminated -> done.complete());
    return done.future();
  }
}
