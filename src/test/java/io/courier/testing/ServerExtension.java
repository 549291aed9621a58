package io.courier.testing;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real server per test class, in the test JVM, on its own {@code redis-server} process, with a Vert.x for
 * the test's clients and a {@link TestAccounts} on the server's HTTP API:
 * {@code @RegisterExtension static final ServerExtension SERVER = new ServerExtension("limits.x=1");}.
 */
public final class ServerExtension implements BeforeAllCallback, AfterAllCallback {
  private final String[] overrides;
  private RedisProcess redis;
  private Vertx vertx;
  private CourierServer server;
  private TestAccounts accounts;

  /** {@code overrides} are {@code key.path=value} settings on top of {@link TestServer}'s. */
  public ServerExtension(String... overrides) {
    this.overrides = overrides;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    redis = RedisProcess.builder().build().start();
    vertx = Vertx.vertx();
    server = TestServer.start(redis.url(), overrides);
    accounts = new TestAccounts(vertx, server.baseUri());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    server.close();
    vertx.close();
    redis.close();
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
    return server.s3().store(vertx.getOrCreateContext(), server.config().media());
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

  /** Length of a device's mailbox, read straight from Redis. */
  public long mailboxLength(Session device) {
    return (Long) redis.command("XLEN", "mbox:{u:" + device.account() + "}:" + device.device());
  }
}
