package io.courier;

import io.courier.auth.SigningKeys;
import io.courier.config.CourierConfig;
import io.courier.gateway.GatewayVerticle;
import io.courier.redis.EmbeddedRedis;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server node: its Vert.x, its gateway verticles and, when no Redis is configured, its embedded
 * Redis. {@link Main} starts one from the command line; tests start them in-process.
 */
public final class CourierServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CourierServer.class);
  /** One Prometheus registry per process, added to Micrometer's global registry once. */
  private static final PrometheusMeterRegistry REGISTRY = createRegistry();

  private final Vertx vertx;
  private final EmbeddedRedis embedded;
  private final CourierConfig config;
  private final String redisUrl;

  private CourierServer(Vertx vertx, EmbeddedRedis embedded, CourierConfig config, String redisUrl) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.config = config;
    this.redisUrl = redisUrl;
  }

  /** Starts a node and returns once it listens; blocking, so call it from {@code main} or a test. */
  public static CourierServer start(CourierConfig config, Map<String, String> environment) throws IOException {
    Path dataDir = Path.of(config.dataDir());
    EmbeddedRedis embedded = config.redis().embedded()
        ? EmbeddedRedis.start(dataDir.resolve("redis"), config.redis().embeddedFsync())
        : null;
    String redisUrl = embedded != null ? embedded.url() : config.redis().url();
    SigningKeys keys = SigningKeys.load(config.auth(), dataDir, environment);
    CourierConfig bound = withPort(config, config.server().port() == 0 ? freePort() : config.server().port());
    VertxOptions options = new VertxOptions();
    Vertx vertx = Vertx.vertx(options);
    int instances = bound.server().instances() == 0 ? options.getEventLoopPoolSize() : bound.server().instances();
    try {
      vertx.deployVerticle(() -> new GatewayVerticle(bound, redisUrl, keys, environment, REGISTRY),
          new DeploymentOptions().setInstances(instances)).await();
    } catch (RuntimeException e) {
      vertx.close().await();
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
    log.atInfo().addKeyValue("url", baseUri(bound)).addKeyValue("instances", instances)
        .addKeyValue("redis", redisUrl).log("courier started");
    return new CourierServer(vertx, embedded, bound, redisUrl);
  }

  /** {@code http://host:port} of the listener. */
  public String baseUri() {
    return baseUri(config);
  }

  public int port() {
    return config.server().port();
  }

  public String redisUrl() {
    return redisUrl;
  }

  @Override
  public void close() {
    try {
      vertx.close().await();
    } catch (RuntimeException e) {
      log.warn("Vert.x did not close cleanly", e);
    }
    if (embedded != null) {
      embedded.close();
    }
  }

  private static String baseUri(CourierConfig c) {
    return "http://" + c.server().host() + ":" + c.server().port();
  }

  private static PrometheusMeterRegistry createRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.addRegistry(registry);
    return registry;
  }

  /** Port 0 is resolved here once, so every gateway instance shares one real port. */
  private static CourierConfig withPort(CourierConfig c, int port) {
    var s = c.server();
    return new CourierConfig(new CourierConfig.ServerConfig(s.host(), port, s.instances(), s.allowedOrigins()),
        c.redis(), c.auth(), c.mailbox(), c.devices(), c.limits(), c.connection(), c.dataDir());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
