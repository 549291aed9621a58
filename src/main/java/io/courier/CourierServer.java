package io.courier;

import io.courier.auth.SigningKeys;
import io.courier.config.CourierConfig;
import io.courier.config.DataFolder;
import io.courier.gateway.GatewayVerticle;
import io.courier.push.VapidKeyPair;
import io.courier.media.EmbeddedS3;
import io.courier.media.MinioStore;
import io.courier.media.S3Access;
import io.courier.media.S3Clients;
import io.courier.push.PushSender;
import io.courier.push.PushSenders;
import io.courier.push.PushWorker;
import io.courier.routing.Clustering;
import io.courier.routing.Node;
import io.courier.redis.EmbeddedRedis;
import io.courier.redis.RedisClients;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server node: its Vert.x, its gateway verticles and, when no Redis or S3 store is configured, its
 * embedded Redis and embedded S3 store. {@link Main} starts one from the command line; tests start them in-process.
 */
public final class CourierServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CourierServer.class);
  /** One Prometheus registry per process, added to Micrometer's global registry once. */
  private static final PrometheusMeterRegistry REGISTRY = createRegistry();

  private final Vertx vertx;
  private final EmbeddedRedis embedded;
  private final EmbeddedS3 embeddedS3;
  private final CourierConfig config;
  private final String redisUrl;
  private final S3Access s3;
  private final S3Clients s3Clients;

  private CourierServer(Vertx vertx, EmbeddedRedis embedded, EmbeddedS3 embeddedS3, CourierConfig config,
      String redisUrl, S3Access s3, S3Clients s3Clients) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.embeddedS3 = embeddedS3;
    this.config = config;
    this.redisUrl = redisUrl;
    this.s3 = s3;
    this.s3Clients = s3Clients;
  }

  /** Starts a node and returns once it listens; blocking, so call it from {@code main} or a test. */
  public static CourierServer start(CourierConfig config, Map<String, String> environment) throws Exception {
    return start(config, environment, Map.of());
  }

  /**
   * The same, with the push senders by target kind ({@link PushSender#kind()}) that this node's push worker sends
   * through when {@code push.enabled} (tests give their own); none given builds those {@code push.*} enables
   * ({@link PushSenders}). A wake-up for a kind without a sender is dropped and counted.
   */
  public static CourierServer start(CourierConfig config, Map<String, String> environment,
      Map<String, PushSender> pushSenders) throws Exception {
    Path dataDir = Path.of(config.dataDir());
    if (config.redis().embedded() || config.media().embedded() || config.auth().privateKeyPem().isBlank()) {
      DataFolder.prepare(dataDir);
    }
    EmbeddedRedis embedded = config.redis().embedded()
        ? EmbeddedRedis.start(dataDir.resolve("redis"), config.redis().embeddedFsync())
        : null;
    String redisUrl = embedded != null ? embedded.url() : config.redis().url();
    EmbeddedS3 embeddedS3 = config.media().embedded()
        ? EmbeddedS3.start(dataDir.resolve("media"), config.media().partSize(), config.server().allowedOrigins())
        : null;
    S3Access s3 = embeddedS3 != null ? S3Access.embedded(embeddedS3) : S3Access.configured(config.media(),
        environment);
    SigningKeys keys = SigningKeys.load(config.auth(), dataDir, environment);
    VapidKeyPair vapid = config.push().enabled() && config.push().webPush().enabled()
        ? VapidKeyPair.load(config.push().webPush(), dataDir, environment)
        : null;
    CourierConfig bound = withPort(config, config.server().port() == 0 ? freePort() : config.server().port());
    // epoll where available (Linux x86-64): less heap per socket than NIO; Vert.x falls back to NIO elsewhere
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    HazelcastClusterManager clusterManager = bound.cluster().enabled() ? Clustering.manager(bound.cluster()) : null;
    Vertx vertx = clusterManager == null ? Vertx.vertx(options) : Vertx.builder()
        .with(options.setEventBusOptions(new EventBusOptions().setHost(Clustering.address(bound.cluster()))
            .setClusterPublicHost(Clustering.address(bound.cluster()))))
        .withClusterManager(clusterManager)
        .buildClustered()
        .await();
    int instances = bound.server().instances() == 0 ? options.getEventLoopPoolSize() : bound.server().instances();
    // Built here, once, not by each event loop as it starts (S3Clients says why).
    S3Clients s3Clients = s3.clients(bound.media());
    CourierServer server = new CourierServer(vertx, embedded, embeddedS3, bound, redisUrl, s3, s3Clients);
    try {
      s3Clients.on(vertx.getOrCreateContext()).prepareBucket((int) bound.media().retention().toDays()).await();
      Node node = clusterManager == null ? Node.standalone() : Node.clustered(clusterManager);
      node.listen(vertx).await();
      vertx.deployVerticle(() -> new GatewayVerticle(bound, redisUrl, s3Clients, keys, environment, REGISTRY, node,
          vapid),
          new DeploymentOptions().setInstances(instances)).await();
      if (bound.push().enabled()) {
        Map<String, PushSender> senders = pushSenders.isEmpty()
            ? PushSenders.fromConfig(vertx, bound.push(), environment, vapid) : pushSenders;
        vertx.deployVerticle(new PushWorker(bound.push(), bound.mailbox().retention(), redisUrl,
            bound.redis().cluster(), node.id(), node.members(), senders)).await();
      }
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    log.atInfo().addKeyValue("url", baseUri(bound)).addKeyValue("instances", instances)
        .addKeyValue("redis", RedisClients.redact(redisUrl)).addKeyValue("s3", s3.endpoint()).log("courier started");
    return server;
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
    if (embeddedS3 != null) {
      embeddedS3.close();
    }
    if (embedded != null) {
      embedded.close();
    }
  }

  /** The object store this node uses (for tests and tools that look at stored objects). */
  public S3Access s3() {
    return s3;
  }

  /** The object store as seen from {@code context}, through this node's clients. */
  public MinioStore store(Context context) {
    return s3Clients.on(context);
  }

  public CourierConfig config() {
    return config;
  }

  private static String baseUri(CourierConfig c) {
    return "http://" + c.server().host() + ":" + c.server().port();
  }

  private static PrometheusMeterRegistry createRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Metrics.addRegistry(registry);
    // The process itself: heap and off-heap memory, GC, threads, CPU, open files (the 20,000 cap matters here).
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    return registry;
  }

  /** Port 0 is resolved here once, so every gateway instance shares one real port. */
  private static CourierConfig withPort(CourierConfig c, int port) {
    return new CourierConfig(c.server().withPort(port), c.redis(), c.auth(), c.mailbox(), c.devices(), c.media(),
        c.cluster(), c.limits(), c.connection(), c.push(), c.dataDir());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
