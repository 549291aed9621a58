package io.courier;

import io.courier.auth.SigningKeys;
import io.courier.config.ConfigException;
import io.courier.config.ConfigLoader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a server: {@code java -jar courier-server.jar [--config FILE] [--set key.path=value]...}.
 *
 * <p>Loads and validates the config (every problem printed, exit 2), starts an embedded Redis when no
 * {@code redis.url} is set, and deploys one {@link GatewayVerticle} per event loop. Prints
 * {@code courier listening on http://HOST:PORT} once the port is open. The only place things are wired by hand.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  /** Default config file, relative to the working directory. */
  static final String DEFAULT_CONFIG = "config/courier.yaml";

  private Main() {}

  public static void main(String[] args) {
    CourierConfig config;
    try {
      config = loadConfig(args);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      start(config, System.getenv());
    } catch (Exception e) {
      log.error("server failed to start", e);
      System.exit(1);
    }
  }

  static CourierConfig loadConfig(String[] args) {
    Path file = Path.of(DEFAULT_CONFIG);
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      boolean hasValue = i + 1 < args.length;
      if ("--config".equals(arg) && hasValue) {
        file = Path.of(args[++i]);
      } else if ("--set".equals(arg) && hasValue) {
        overrides.add(args[++i]);
      } else {
        throw new IllegalArgumentException("usage: courier-server [--config FILE] [--set key.path=value]...\n"
            + "unexpected argument: " + arg);
      }
    }
    return new ConfigLoader(System.getenv()).load(file, overrides);
  }

  private static void start(CourierConfig config, Map<String, String> environment) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.addRegistry(registry);
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
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(vertx, embedded), "courier-shutdown"));
    vertx.deployVerticle(() -> new GatewayVerticle(bound, redisUrl, keys, environment, registry),
            new DeploymentOptions().setInstances(instances))
        .await();
    String url = "http://" + bound.server().host() + ":" + bound.server().port();
    log.atInfo().addKeyValue("url", url).addKeyValue("instances", instances).addKeyValue("redis", redisUrl)
        .log("courier started");
    System.out.println("courier listening on " + url);
  }

  private static void stop(Vertx vertx, EmbeddedRedis embedded) {
    try {
      vertx.close().await();
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly", e);
    }
    if (embedded != null) {
      embedded.close();
    }
  }

  /** Port 0 is resolved here once, so every gateway instance shares one real port. */
  private static CourierConfig withPort(CourierConfig c, int port) {
    var s = c.server();
    return new CourierConfig(new CourierConfig.ServerConfig(s.host(), port, s.instances(), s.allowedOrigins()),
        c.redis(), c.auth(), c.mailbox(), c.limits(), c.connection(), c.dataDir());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
