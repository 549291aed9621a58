package io.courier.push;

import static io.courier.push.PushSchedulingTest.message;
import static io.courier.push.PushSchedulingTest.registerTarget;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.RedisProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A Redis crash loses no due wake-up: with AOF and {@code appendfsync always}, the schedule, the check due at the
 * window's end ({@code pushlater:{push}}) and the queue survive a SIGKILL and restart, and the worker reads the
 * queue again once Redis is back.
 */
class PushDurabilityTest {
  static final Duration WINDOW = Duration.ofSeconds(4);

  @Test
  void aWakeUpDueAtTheWindowsEndSurvivesARedisCrashAndTheWorkerReadsOnAfterIt() {
    RecordingPushSender sender = new RecordingPushSender("webpush");
    Vertx vertx = Vertx.vertx();
    try (RedisProcess redis = RedisProcess.builder().appendOnly(true).fsync("always").build().start()) {
      CourierServer server = TestServer.start(redis.url(), Map.of("webpush", sender), "push.enabled=true",
          "push.window=" + WINDOW, "push.takeover=PT3S");
      try {
        TestAccounts accounts = new TestAccounts(vertx, server.baseUri());
        Session alice = accounts.register("alice");
        Session bob = accounts.register("bob");
        Session carol = accounts.register("carol");
        String bobEndpoint = registerTarget(redis, bob);
        String carolEndpoint = registerTarget(redis, carol);
        try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
          a.expect("drained");
          a.send(message("m1", bob, "before the crash"));
          a.expect("sent");
        }
        Poll.until(Duration.ofSeconds(5), () -> sender.callsFor(bobEndpoint).size() == 1, () -> "bob not woken");
        Poll.until(Duration.ofSeconds(5), () -> redis.command("ZSCORE", PushRedisKeys.later(),
            bob.account() + ":" + bob.device()) != null, () -> "no check due at the window's end");
        redis.kill();
        redis.start();
        Poll.until(WINDOW.plusSeconds(10), () -> sender.callsFor(bobEndpoint).size() == 2,
            () -> "the check at the window's end was lost in the crash");
        Poll.until(Duration.ofSeconds(20), () -> sendOnce(vertx, server, alice, carol),
            () -> "the server did not take messages after Redis restarted");
        Poll.until(Duration.ofSeconds(10), () -> sender.callsFor(carolEndpoint).size() == 1,
            () -> "a wake-up queued after the restart was not sent");
      } finally {
        server.close();
        vertx.close();
      }
    }
  }

  private static boolean sendOnce(Vertx vertx, CourierServer server, Session from, Session to) {
    try (WireClient a = WireClient.connect(vertx, server.port(), from.accessToken())) {
      a.expect("drained");
      a.send(message("after", to, "after the crash"));
      return "sent".equals(a.next().getString("type"));
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
  }
}
