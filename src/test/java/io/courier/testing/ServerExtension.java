package io.courier.testing;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server per test class, in the test JVM, on its own {@code redis-server} process, with a Vert.x for
 * the test's clients and a {@link TestAccounts} on the server's HTTP API:
 * {@code @RegisterExtension static final ServerExtension SERVER = new ServerExtension("limits.x=1");}. The class
 * fails if an exception escaped a handler on an event loop meanwhile ({@link UnhandledExceptions}).
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final String[] overrides;
  private final boolean redisCluster;
  private RedisProcess redis;
  private RedisClusterProcess cluster;
  private Vertx vertx;
  private CourierServer server;
  private TestAccounts accounts;
  private WebClient http;
  private UnhandledExceptions unhandled;

  /** {@code overrides} are {@code key.path=value} settings on top of {@link TestServer}'s. */
  public ServerExtension(String... overrides) {
    this(false, overrides);
  }

  private ServerExtension(boolean redisCluster, String... overrides) {
    this.redisCluster = redisCluster;
    this.overrides = overrides;
  }

  /** The same, with the server on a 3-master Redis Cluster ({@link #redis()} is then null). */
  public static ServerExtension onRedisCluster(String... overrides) {
    return new ServerExtension(true, overrides);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    unhandled = UnhandledExceptions.watch();
    vertx = Vertx.vertx();
    if (redisCluster) {
      cluster = RedisClusterProcess.start();
      String[] all = java.util.Arrays.copyOf(overrides, overrides.length + 1);
      all[overrides.length] = "redis.cluster=true";
      server = TestServer.start(cluster.urls(), all);
    } else {
      redis = RedisProcess.builder().build().start();
      server = TestServer.start(redis.url(), overrides);
    }
    accounts = new TestAccounts(vertx, server.baseUri());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
    vertx.close();
    if (redis != null) {
      redis.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    // An exception that escaped a handler fails the class, though Vert.x only logged it.
    unhandled.stopAndAssertNone(context.getDisplayName());
  }

  public Vertx vertx() {
    return vertx;
  }

  public CourierServer server() {
    return server;
  }

  public String baseUri() {
    return server.baseUri();
  }

  /** The object store of the server (its embedded S3Proxy), to look at what clients stored. */
  public io.courier.media.MinioStore store() {
    return server.store(vertx.getOrCreateContext());
  }

  public int port() {
    return server.port();
  }

  public TestAccounts accounts() {
    return accounts;
  }

  public RedisProcess redis() {
    return redis;
  }

  /** A transcript client on the server's WebSocket, as {@code device}. */
  public WireClient connect(Session device) {
    return WireClient.connect(vertx, server.port(), device.accessToken());
  }

  /** An HTTP call to the server's API as {@code as} (null: no token), with a JSON body or none. */
  public HttpResponse<Buffer> call(HttpMethod method, String path, Session as, JsonObject body) {
    if (http == null) {
      http = WebClient.create(vertx);
    }
    var request = http.requestAbs(method, server.baseUri() + path);
    if (as != null) {
      request.bearerTokenAuthentication(as.accessToken());
    }
    return WireClient.await(body == null ? request.send() : request.sendJsonObject(body));
  }

  /**
   * One series of the server's {@code /metrics}, e.g. {@code metric("courier_connections_closed_total",
   * "reason=\"IDLE_TIMEOUT\"")} ({@code ""}: no labels); 0 when the series is not there yet.
   */
  public double metric(String name, String labels) {
    String text = call(HttpMethod.GET, "/metrics", null, null).bodyAsString();
    String series = labels.isEmpty() ? name : name + "{" + labels + "}";
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("(?m)^" + java.util.regex.Pattern.quote(series) + " ([0-9.eE+]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** Length of a device's mailbox, read straight from Redis. */
  public long mailboxLength(Session device) {
    return (Long) redis.command("XLEN", "mbox:{u:" + device.account() + "}:" + device.device());
  }
}
