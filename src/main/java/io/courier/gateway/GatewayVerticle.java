package io.courier.gateway;

import io.courier.auth.Accounts;
import io.courier.auth.Devices;
import io.courier.auth.SigningKeys;
import io.courier.auth.TokenService;
import io.courier.config.CourierConfig;
import io.courier.limits.RateLimit;
import io.courier.limits.RateLimiter;
import io.courier.mailbox.Mailbox;
import io.courier.mailbox.RedisMailbox;
import io.courier.net.HttpDeadlines;
import io.courier.media.AttachmentService;
import io.courier.media.MinioStore;
import io.courier.media.S3Clients;
import io.courier.prekeys.RedisKeyDirectory;
import io.courier.protocol.FrameCodec;
import io.courier.protocol.ProtocolLimits;
import io.courier.push.EndpointGuard;
import io.courier.push.PushRegistrations;
import io.courier.push.PushScheduling;
import io.courier.push.VapidKeyPair;
import io.courier.redis.PipelinedRedis;
import io.courier.redis.RedisClients;
import io.courier.routing.DeliveryRouter;
import io.courier.routing.Node;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP and WebSocket front door; deployed once per event loop, all instances sharing one port. Each
 * instance has its own Redis client and services, so a connection's work stays on its event loop.
 */
public final class GatewayVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(GatewayVerticle.class);
  /** How long {@code /health/ready} waits for Redis. */
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(1);
  /** Messages up to this multiple of {@code limits.maxFrameBytes} are read and refused with a 1009 close. */
  static final int HARD_FRAME_CAP_FACTOR = 4;
  /** How long shutdown waits for a connection's in-flight sends before closing it anyway. */
  static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final CourierConfig config;
  private final String redisUrl;
  private final S3Clients s3;
  private final SigningKeys keys;
  private final Map<String, String> environment;
  private final PrometheusMeterRegistry registry;
  private final Node node;
  /** Null unless Web Push is on ({@code push.enabled} and {@code push.webPush.enabled}). */
  private final VapidKeyPair vapid;
  private Redis redis;
  private Gateway gateway;
  /** Whether the warning that a connection got no {@link HttpDeadlines} was logged (once per instance). */
  private boolean deadlinesMissingLogged;

  public GatewayVerticle(CourierConfig config, String redisUrl, S3Clients s3, SigningKeys keys,
      Map<String, String> environment, PrometheusMeterRegistry registry, Node node, VapidKeyPair vapid) {
    this.config = config;
    this.redisUrl = redisUrl;
    this.s3 = s3;
    this.keys = keys;
    this.environment = environment;
    this.registry = registry;
    this.node = node;
    this.vapid = vapid;
  }

  @Override
  public Future<?> start() {
    redis = new PipelinedRedis(RedisClients.create(vertx, redisUrl, config.redis().poolSize(),
        config.redis().cluster()), context);
    return TokenService.create(vertx, config.auth(), keys, environment)
        .map(this::wire)
        .compose(wired -> vertx.createHttpServer(serverOptions())
            .connectionHandler(this::installDeadlines)
            .requestHandler(router(wired))
            .listen(config.server().port(), config.server().host()));
  }

  @Override
  public Future<?> stop() {
    return drain().eventually(() -> redis == null ? Future.succeededFuture() : redis.close());
  }

  /**
   * Graceful shutdown: new handshakes are refused ({@code UNAVAILABLE}, so the load balancer's retry or the client's
   * reconnect lands on another node), every connection stops reading frames, lets the sends it already took finish
   * (at most {@link #DRAIN_TIMEOUT}), and is closed with 1001 so its client reconnects elsewhere.
   */
  private Future<Void> drain() {
    if (gateway == null) {
      return Future.succeededFuture();
    }
    gateway.draining().set(true);
    List<Future<Void>> closing = new ArrayList<>();
    List.copyOf(gateway.connections()).forEach(c -> closing.add(c.shutdown(DRAIN_TIMEOUT)));
    return Future.join(closing).mapEmpty();
  }

  private Gateway wire(TokenService tokens) {
    var limits = config.limits();
    PushScheduling push = PushScheduling.of(config.push(), config.mailbox().retention(), redis);
    Mailbox mailbox = new RedisMailbox(redis, config.mailbox(), push);
    DeliveryRouter router = new DeliveryRouter(vertx, context, redis, node, push);
    // One per instance, like every limiter here: the send limiter's leases stay on this event loop (RateLimiter).
    RateLimiter sendLimiter = new RateLimiter(redis, RateLimit.SEND, limits.sendBurst(), limits.sendsPerSecond());
    RateLimiter loginLimiter = new RateLimiter(redis, RateLimit.LOGIN, limits.loginsPerMinute(),
        limits.loginsPerMinute() / 60.0);
    Devices devices = new Devices(redis, config.devices());
    Accounts accounts = new Accounts(vertx, redis, config.auth(), tokens, loginLimiter, devices);
    ReceiptSender receipts = new ReceiptSender(mailbox, router);
    gateway = new Gateway(config,
        new FrameCodec(new ProtocolLimits(limits.maxEnvelopesPerSend(), limits.maxCiphertextBytes(),
            limits.maxReceiptIds())),
        accounts, devices, new RedisKeyDirectory(redis), tokens, mailbox, router,
        new SendHandler(mailbox, router, sendLimiter),
        new AckHandler(vertx, mailbox, receipts),
        new ReadHandler(mailbox, receipts),
        new HashSet<>(),
        new AtomicBoolean());
    return gateway;
  }

  /**
   * Runs for every new connection before its first byte is read (h2c is off, so Vert.x sets up HTTP/1.x at once):
   * the request-head and idle deadlines of {@code server.*} ({@link HttpDeadlines}).
   */
  private void installDeadlines(HttpConnection connection) {
    var server = config.server();
    boolean installed = connection instanceof ConnectionBase c
        && HttpDeadlines.install(c.channel().pipeline(), server.requestHeaderTimeout(), server.idleTimeout());
    if (!installed && !deadlinesMissingLogged) {
      deadlinesMissingLogged = true;
      log.warn("HTTP connections have no request-head or idle deadline: the Netty pipeline is not reachable");
    }
  }

  private HttpServerOptions serverOptions() {
    // Above this hard cap Netty drops the TCP connection without a close frame; up to it, Connection checks
    // limits.maxFrameBytes itself and closes with 1009, which clients can act on.
    int max = config.limits().maxFrameBytes() * HARD_FRAME_CAP_FACTOR;
    return new HttpServerOptions()
        .setMaxWebSocketFrameSize(max)
        .setMaxWebSocketMessageSize(max)
        .setCompressionSupported(false)
        // No HTTP/2 over cleartext (nothing here speaks it): with h2c on, Vert.x sets a connection up only once its
        // first bytes came, so a client that sends nothing would escape server.requestHeaderTimeout.
        .setHttp2ClearTextEnabled(false)
        // Frames carry ciphertext, which does not compress; a negotiated permessage-deflate (browsers offer it)
        // would cost a Deflater and an Inflater per socket, hundreds of KB of native memory.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false);
  }

  /** An exact limiter of {@code perMinute} requests a minute, burst the same. */
  private RateLimiter perMinute(RateLimit limit, int perMinute) {
    return new RateLimiter(redis, limit, perMinute, perMinute / 60.0);
  }

  private Router router(Gateway gateway) {
    Router router = Router.router(vertx);
    router.route("/v1/*").handler(new OriginGuard(config.server().allowedOrigins()));
    if (!config.server().allowedOrigins().isEmpty()) {
      // Lets the allowed pages read the REST API's answers; a WebSocket needs no CORS.
      router.routeWithRegex("/v1/(?!ws).*").handler(CorsHandler.create()
          .addOrigins(config.server().allowedOrigins())
          .allowedHeader("Authorization").allowedHeader("Content-Type"));
    }
    router.get("/v1/ws").handler(new WebSocketHandler(vertx, gateway));
    router.route("/v1/*").handler(BodyHandler.create().setBodyLimit(HttpApi.MAX_BODY_BYTES));
    var limits = config.limits();
    ClientAddresses addresses = new ClientAddresses(config.server().trustedProxies());
    PushRegistrations pushRegistrations = new PushRegistrations(redis);
    DevicesApi devicesApi = new DevicesApi(gateway, pushRegistrations,
        perMinute(RateLimit.LINK, limits.linkAttemptsPerMinute()),
        perMinute(RateLimit.LINK_CODE, limits.linkCodesPerMinute()), addresses);
    new HttpApi(gateway, devicesApi, perMinute(RateLimit.REGISTER, limits.registrationsPerMinute()), addresses)
        .mount(router);
    devicesApi.mount(router);
    if (config.push().enabled()) {
      new PushApi(gateway, pushRegistrations, new EndpointGuard(vertx, config.push().allowPrivateTargets()), vapid,
          perMinute(RateLimit.PUSH_TARGET, limits.pushRegistrationsPerMinute()))
          .mount(router);
    }
    int fetches = config.limits().bundleFetchesPerMinute();
    new KeysApi(gateway, new RateLimiter(redis, RateLimit.BUNDLE_FETCH, fetches, fetches / 60.0)).mount(router);
    MinioStore store = s3.on(context);
    int uploads = config.limits().uploadsPerMinute();
    new MediaApi(gateway, new AttachmentService(redis, store, store, config.media()),
        new RateLimiter(redis, RateLimit.UPLOAD, uploads, uploads / 60.0)).mount(router);
    router.get("/health/live").handler(rc -> rc.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(rc -> redis.send(Request.cmd(Command.PING))
        .timeout(READY_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .onSuccess(pong -> rc.json(new JsonObject().put("status", "UP")))
        .onFailure(e -> rc.response().setStatusCode(503).end(new JsonObject().put("status", "DOWN").encode())));
    router.get("/metrics").handler(rc -> rc.response()
        .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .end(registry.scrape()));
    router.route().failureHandler(HttpApi::failure);
    router.route().last().handler(rc -> rc.fail(404));
    return router;
  }
}
