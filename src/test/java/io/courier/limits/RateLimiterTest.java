package io.courier.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.redis.RedisClients;
import io.courier.testing.FreePort;
import io.courier.testing.RedisProcess;
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RateLimiter} on a real {@code redis-server}: leased send tokens, shared by "nodes" that are each a verticle
 * with its own Redis client and limiter, as GatewayVerticle instances are; and exact limits. Script calls are
 * counted with {@code INFO commandstats}; lease ages follow a test clock.
 */
class RateLimiterTest {
  /** Lease of 16 (the most), refilled 100 per second. */
  static final int LARGE_BURST = 1_000;
  static final double LARGE_RATE = 100;

  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().build();

  /** Runs every {@link Node}. */
  static Vertx nodes;
  /** The nano clock of every limiter made here; it moves only when a test moves it. */
  static final AtomicLong CLOCK = new AtomicLong();

  @BeforeAll
  static void start() {
    nodes = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    WireClient.await(nodes.close());
  }

  @Test
  void onlyTheSendLimitLeasesAndALeaseIsBoundedByTheBucket() {
    assertThat(RateLimiter.leaseSize(RateLimit.SEND, 100, 50)).as("defaults: burst / 8").isEqualTo(12);
    assertThat(RateLimiter.leaseSize(RateLimit.SEND, 1_000_000, 1_000_000)).isEqualTo(RateLimiter.MAX_LEASE);
    assertThat(RateLimiter.leaseSize(RateLimit.SEND, 100, 3)).as("a second's refill").isEqualTo(3);
    assertThat(RateLimiter.leaseSize(RateLimit.SEND, 2, 1)).as("a small bucket stays exact").isEqualTo(1);
    assertThat(RateLimiter.leaseSize(RateLimit.SEND, 100, 0.5)).isEqualTo(1);
    assertThat(RateLimiter.leaseSize(RateLimit.LOGIN, 1_000_000, 1_000_000)).isEqualTo(1);
    assertThat(RateLimiter.leaseSize(RateLimit.BUNDLE_FETCH, 1_000_000, 1_000_000)).isEqualTo(1);
    assertThat(RateLimiter.leaseSize(RateLimit.UPLOAD, 1_000_000, 1_000_000)).isEqualTo(1);
  }

  @Test
  void aBurstOnTwoNodesNeverExceedsTheBucketAndThenIsRefusedWithRetryAfter() {
    int burst = 128;
    double rate = 16;
    Node a = Node.deploy(REDIS.url(), RateLimit.SEND, burst, rate);
    Node b = Node.deploy(REDIS.url(), RateLimit.SEND, burst, rate);
    assertThat(a.call(() -> a.limiter.leaseSize())).isEqualTo(16);
    String account = TestIds.unique("burst");

    long started = System.nanoTime();
    List<Future<Void>> takes = new ArrayList<>(a.call(() -> a.takeAll(account, 2 * burst)));
    takes.addAll(b.call(() -> b.takeAll(account, 2 * burst)));
    awaitAll(takes);
    double seconds = (System.nanoTime() - started) / 1e9;

    long granted = takes.stream().filter(Future::succeeded).count();
    assertThat(granted).as("the burst plus what refilled in %.3f s", seconds)
        .isBetween((long) burst, burst + (long) Math.ceil(rate * seconds));
    for (Future<Void> refused : takes.stream().filter(Future::failed).toList()) {
      ProtocolException e = (ProtocolException) refused.cause();
      assertThat(e.code()).isEqualTo(ErrorCode.RATE_LIMITED);
      assertThat(e.retryAfterMillis()).as("one token at 16/s").isBetween(1L, 63L);
    }
    a.undeploy();
    b.undeploy();
  }

  @Test
  void leasedTokensAreSpentWithoutRedisAndConcurrentTakesShareOneRequest() {
    Node node = Node.deploy(REDIS.url(), RateLimit.SEND, LARGE_BURST, LARGE_RATE);
    String account = TestIds.unique("lease");
    WireClient.await(node.call(() -> node.limiter.take(TestIds.unique("warmup"))));
    long before = scriptCalls();

    List<Future<Void>> together = node.call(() -> node.takeAll(account, RateLimiter.MAX_LEASE));
    awaitAll(together);
    assertThat(together).allMatch(Future::succeeded);
    assertThat(scriptCalls() - before).as("one request for 16 takes at once").isEqualTo(1);
    for (int i = 0; i < 2 * RateLimiter.MAX_LEASE; i++) {
      WireClient.await(node.call(() -> node.limiter.take(account)));
    }

    assertThat(scriptCalls() - before).as("3 leases for 48 takes").isEqualTo(3);
    node.undeploy();
  }

  @Test
  void leasedTokensAreDroppedWhenTheLeaseExpires() {
    Node node = Node.deploy(REDIS.url(), RateLimit.SEND, LARGE_BURST, LARGE_RATE);
    String account = TestIds.unique("expiry");
    WireClient.await(node.call(() -> node.limiter.take(TestIds.unique("warmup"))));
    long before = scriptCalls();
    long started = System.nanoTime();

    WireClient.await(node.call(() -> node.limiter.take(account)));
    CLOCK.addAndGet(RateLimiter.LEASE_LIFETIME.toNanos() - 1);
    WireClient.await(node.call(() -> node.limiter.take(account)));
    assertThat(scriptCalls() - before).as("the second take spent a leased token").isEqualTo(1);
    CLOCK.addAndGet(1);
    WireClient.await(node.call(() -> node.limiter.take(account)));

    assertThat(scriptCalls() - before).as("the lease had expired: a new one was taken").isEqualTo(2);
    double left = Double.parseDouble((String) REDIS.redis().command("HGET", bucket(account), "tokens"));
    double refilled = LARGE_RATE * (System.nanoTime() - started) / 1e9;
    assertThat(left).as("two whole leases left the bucket; the first one's 14 unspent tokens were not given back")
        .isLessThanOrEqualTo(LARGE_BURST - 2 * RateLimiter.MAX_LEASE + refilled);
    node.undeploy();
  }

  @Test
  void leasesAreForgottenOnceSpentOrExpired() {
    Node node = Node.deploy(REDIS.url(), RateLimit.SEND, LARGE_BURST, LARGE_RATE);
    String spent = TestIds.unique("spent");
    awaitAll(node.call(() -> node.takeAll(spent, RateLimiter.MAX_LEASE)));
    assertThat(node.call(node.limiter::leaseCount)).as("a spent lease is removed").isZero();
    for (int i = 0; i < 100; i++) {
      WireClient.await(node.call(() -> node.limiter.take(TestIds.unique("many"))));
    }
    assertThat(node.call(node.limiter::leaseCount)).isEqualTo(100);

    CLOCK.addAndGet(RateLimiter.LEASE_LIFETIME.toNanos());
    WireClient.await(node.call(() -> node.limiter.take(TestIds.unique("later"))));

    assertThat(node.call(node.limiter::leaseCount)).as("the expired 100 were swept").isEqualTo(1);
    node.undeploy();
  }

  @Test
  void exactLimitsRunTheScriptForEveryTake() {
    Node node = Node.deploy(REDIS.url(), RateLimit.LOGIN, 3, 3 / 60.0);
    String account = TestIds.unique("login");
    WireClient.await(node.call(() -> node.limiter.take(TestIds.unique("warmup"))));
    long before = scriptCalls();

    List<Future<Void>> takes = node.call(() -> node.takeAll(account, 4));
    awaitAll(takes);

    // Pooled connections may reorder concurrent takes: which one is refused is not fixed.
    assertThat(takes).filteredOn(Future::succeeded).hasSize(3);
    ProtocolException refused = (ProtocolException) takes.stream().filter(Future::failed).findFirst().orElseThrow()
        .cause();
    assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(refused.retryAfterMillis()).as("one token at 3/min").isBetween(1L, 20_000L);
    assertThat(scriptCalls() - before).isEqualTo(4);
    assertThat(node.call(node.limiter::leaseCount)).isZero();
    node.undeploy();
  }

  @Test
  void aRefusalSticksUntilItsWaitHasPassed() {
    Node node = Node.deploy(REDIS.url(), RateLimit.LOGIN, 3, 3 / 60.0);
    String account = TestIds.unique("sticky");
    for (int i = 0; i < 3; i++) {
      WireClient.await(node.call(() -> node.limiter.take(account)));
    }
    long before = scriptCalls();
    ProtocolException first = refusal(node.call(() -> node.limiter.take(account)));
    assertThat(scriptCalls() - before).as("the first refusal comes from the bucket").isEqualTo(1);

    ProtocolException again = refusal(node.call(() -> node.limiter.take(account)));
    assertThat(scriptCalls() - before).as("refused here, without asking Redis").isEqualTo(1);
    assertThat(again.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(again.retryAfterMillis()).isBetween(1L, first.retryAfterMillis());

    CLOCK.addAndGet(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(first.retryAfterMillis()));
    awaitAll(List.of(node.call(() -> node.limiter.take(account))));
    assertThat(scriptCalls() - before).as("the wait has passed: the bucket is asked again").isEqualTo(2);
    node.undeploy();
  }

  @Test
  void aLeasedLimitRefusesTheRestOfABurstOnceTheBucketRefused() {
    Node node = Node.deploy(REDIS.url(), RateLimit.SEND, 128, 16);
    String account = TestIds.unique("sticky-lease");
    awaitAll(node.call(() -> node.takeAll(account, 200)));
    long before = scriptCalls();

    List<Future<Void>> later = node.call(() -> node.takeAll(account, 50));
    awaitAll(later);

    assertThat(later).allMatch(take -> take.failed()
        && ((ProtocolException) take.cause()).code() == ErrorCode.RATE_LIMITED);
    assertThat(scriptCalls() - before).as("refused here while the wait runs").isZero();
    node.undeploy();
  }

  private static ProtocolException refusal(Future<Void> take) {
    awaitAll(List.of(take));
    assertThat(take.failed()).as("refused").isTrue();
    return (ProtocolException) take.cause();
  }

  @Test
  void anUnreachableStoreFailsEveryWaitingTakeAsUnavailableAndKeepsNoLease() {
    Node node = Node.deploy("redis://" + RedisProcess.HOST + ":" + FreePort.pick(), RateLimit.SEND, LARGE_BURST,
        LARGE_RATE);

    List<Future<Void>> takes = node.call(() -> node.takeAll(TestIds.unique("down"), 3));
    awaitAll(takes);

    assertThat(takes).allMatch(take -> take.failed()
        && ((ProtocolException) take.cause()).code() == ErrorCode.UNAVAILABLE);
    assertThat(node.call(node.limiter::leaseCount)).isZero();
    node.undeploy();
  }

  private static String bucket(String account) {
    return "limit:{u:" + account + "}:" + RateLimit.SEND.id();
  }

  /** EVALSHA plus EVAL calls the server has run (the EVAL fallback after NOSCRIPT counts too). */
  private static long scriptCalls() {
    String stats = (String) REDIS.redis().command("INFO", "commandstats");
    return calls(stats, "evalsha") + calls(stats, "eval");
  }

  private static long calls(String stats, String command) {
    Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static void awaitAll(List<Future<Void>> takes) {
    WireClient.await(Future.join(takes).transform(done -> Future.succeededFuture()));
  }

  /** One node's limiter: a verticle of its own, with its own Redis client, as a GatewayVerticle holds it. */
  private static final class Node extends VerticleBase {
    private final String url;
    private final RateLimit limit;
    private final int capacity;
    private final double perSecond;
    private Redis redis;
    private RateLimiter limiter;

    private Node(String url, RateLimit limit, int capacity, double perSecond) {
      this.url = url;
      this.limit = limit;
      this.capacity = capacity;
      this.perSecond = perSecond;
    }

    static Node deploy(String url, RateLimit limit, int capacity, double perSecond) {
      Node node = new Node(url, limit, capacity, perSecond);
      WireClient.await(nodes.deployVerticle(node));
      return node;
    }

    @Override
    public Future<?> start() {
      redis = RedisClients.create(vertx, url, 4, false);
      limiter = new RateLimiter(redis, limit, capacity, perSecond, CLOCK::get);
      return Future.succeededFuture();
    }

    @Override
    public Future<?> stop() {
      return redis.close();
    }

    void undeploy() {
      WireClient.await(vertx.undeploy(context.deploymentID()));
    }

    /** Runs {@code work} on this node's event loop, as the gateway would, and returns its result. */
    <T> T call(Supplier<T> work) {
      Promise<T> result = Promise.promise();
      context.runOnContext(v -> result.complete(work.get()));
      return WireClient.await(result.future());
    }

    /** {@code n} takes started together (must run on the node's event loop). */
    List<Future<Void>> takeAll(String account, int n) {
      List<Future<Void>> takes = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        takes.add(limiter.take(account));
      }
      return takes;
    }
  }
}
