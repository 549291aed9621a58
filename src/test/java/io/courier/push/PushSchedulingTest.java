package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.RedisProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.WireClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * When a device is woken (docs/PROTOCOL.md §7 "Push"), end to end: a real server with push on and a short window
 * on a real Redis, real WebSocket clients, and a recording sender in place of the push services. Targets are
 * written as the registration API stores them ({@link PushRedisKeys#target}).
 */
class PushSchedulingTest {
  static final Duration WINDOW = Duration.ofSeconds(2);
  static final Duration GRACE = Duration.ofSeconds(1);
  /** Long enough for a worker to move, claim and send a due wake-up on a loaded machine. */
  static final Duration SOON = Duration.ofSeconds(5);

  static RedisProcess redis;
  static Vertx vertx;
  static RecordingPushSender sender;
  static CourierServer server;
  static TestAccounts accounts;

  @BeforeAll
  static void start() {
    redis = RedisProcess.builder().build().start();
    vertx = Vertx.vertx();
    sender = new RecordingPushSender("webpush");
    server = TestServer.start(redis.url(), Map.of("webpush", sender), "push.enabled=true",
        "push.window=" + WINDOW, "push.grace=" + GRACE, "push.takeover=PT3S");
    accounts = new TestAccounts(vertx, server.baseUri());
  }

  @AfterAll
  static void stop() {
    server.close();
    vertx.close();
    redis.close();
  }

  @Test
  void anOfflineDeviceGetsOneWakeUpForABurstThenOneMoreAfterTheWindowThenNoMore() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    double coalescedBefore = counter("courier.push.coalesced");
    try (WireClient a = connect(alice)) {
      for (int i = 0; i < 100; i++) {
        a.send(message("m" + i, bob, "burst " + i));
      }
      for (int i = 0; i < 100; i++) {
        a.expect("sent");
      }
    }
    Poll.until(SOON, () -> sender.callsFor(endpoint).size() >= 1, () -> "bob was not woken");
    Poll.until(WINDOW.plus(SOON), () -> sender.callsFor(endpoint).size() >= 2,
        () -> "bob, still away with 100 entries, was not woken again after the window");
    List<RecordingPushSender.Call> calls = sender.callsFor(endpoint);
    assertThat(calls.get(1).at() - calls.get(0).at()).as("ms between the two wake-ups")
        .isGreaterThanOrEqualTo(WINDOW.toMillis() - 100);
    assertThat(counter("courier.push.coalesced") - coalescedBefore).as("messages folded into a due wake-up")
        .isGreaterThanOrEqualTo(99);
    assertStays(WINDOW.multipliedBy(2).plusSeconds(1), () -> sender.callsFor(endpoint).size(), 2,
        "wake-ups for bob after the check at the window's end");
    // Settled entries are trimmed off the queue, and the queue is measured (every 5 s).
    Poll.until(Duration.ofSeconds(12), () -> (Long) redis.command("XLEN", PushRedisKeys.queue()) <= 1
        && gauge("courier.push.queue.depth") == 0 && gauge("courier.push.queue.later") == 0,
        () -> "the queue was not trimmed and measured: XLEN " + redis.command("XLEN", PushRedisKeys.queue())
            + ", depth " + gauge("courier.push.queue.depth") + ", later " + gauge("courier.push.queue.later"));
  }

  private static double gauge(String name) {
    io.micrometer.core.instrument.Gauge gauge = Metrics.globalRegistry.find(name).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  @Test
  void aRepeatedSendQueuesAWakeUpTheFirstSendsNodeLeftUnqueued() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "hello"));
      a.expect("sent");
      Poll.until(SOON, () -> sender.callsFor(endpoint).size() == 1, () -> "bob was not woken");
      // What a node that died between the append and its XADD leaves: a due wake-up that is in no queue.
      Poll.until(SOON, () -> redis.command("ZREM", PushRedisKeys.later(), PushQueue.member(device(bob))).equals(1L),
          () -> "no check at the window's end to take away");
      redis.command("HSET", PushRedisKeys.schedule(device(bob)), "state", "queued");
      a.send(message("m1", bob, "hello"));
      a.expect("sent");
    }
    Poll.until(WINDOW.plus(SOON), () -> sender.callsFor(endpoint).size() == 2,
        () -> "the repeat did not queue the wake-up left queued");
  }

  @Test
  void anOnlineDeviceGetsNoneAndClosingWithEverythingAckedGetsNone() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    try (WireClient a = connect(alice); WireClient b = connect(bob)) {
      JsonArray entries = new JsonArray();
      for (int i = 0; i < 5; i++) {
        a.send(message("m" + i, bob, "hello"));
        a.expect("sent");
        entries.add(b.expect("message").getString("entry"));
      }
      b.send(new JsonObject().put("type", "ack").put("id", "ack-1").put("entries", entries));
      b.expect("ok");
    }
    assertStays(GRACE.plus(WINDOW), () -> sender.callsFor(endpoint).size(), 0, "wake-ups for an online bob");
    assertThat(redis.command("HGET", PushRedisKeys.schedule(device(bob)), "state")).isNull();
  }

  @Test
  void aDeviceWithoutATargetGetsNoneAndNothingIsScheduled() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    int callsBefore = sender.calls();
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "hello"));
      a.expect("sent");
    }
    assertThat(redis.command("EXISTS", PushRedisKeys.schedule(device(bob)))).isEqualTo(0L);
    assertStays(Duration.ofSeconds(2), sender::calls, callsBefore, "wake-ups sent at all");
  }

  @Test
  void aConnectionClosedWithUnackedEntriesGetsOneAfterTheGrace() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    long closedAt;
    try (WireClient a = connect(alice); WireClient b = connect(bob)) {
      a.send(message("m1", bob, "not acked"));
      a.expect("sent");
      b.expect("message");
      closedAt = System.currentTimeMillis();
    }
    Poll.until(GRACE.plus(SOON), () -> sender.callsFor(endpoint).size() == 1,
        () -> "bob, closed with an unacked entry, was not woken");
    assertThat(sender.callsFor(endpoint).get(0).at() - closedAt).as("ms from the close to the wake-up")
        .isGreaterThanOrEqualTo(GRACE.toMillis() - 100);
  }

  @Test
  void aDeviceThatReconnectsWithinTheGraceGetsNone() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    try (WireClient a = connect(alice)) {
      try (WireClient b = connect(bob)) {
        a.send(message("m1", bob, "not acked"));
        a.expect("sent");
        b.expect("message");
      }
      Poll.until(SOON, () -> "queued".equals(redis.command("HGET", PushRedisKeys.schedule(device(bob)), "state")),
          () -> "the close did not schedule a wake-up");
      try (WireClient b = WireClient.connect(vertx, server.port(), bob.accessToken())) {
        assertThat(b.expect("message").getString("id")).isEqualTo("m1");
        assertThat(redis.command("HGET", PushRedisKeys.schedule(device(bob)), "state"))
            .as("the schedule after the reconnect").isNull();
        assertStays(GRACE.plusSeconds(2), () -> sender.callsFor(endpoint).size(), 0, "wake-ups for bob");
      }
    }
  }

  @Test
  void connectingCancelsAWakeUpDueAtTheWindowsEnd() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "first"));
      a.expect("sent");
      Poll.until(SOON, () -> sender.callsFor(endpoint).size() == 1, () -> "bob was not woken");
      try (WireClient b = WireClient.connect(vertx, server.port(), bob.accessToken())) {
        b.expect("message");
        assertThat(redis.command("HGET", PushRedisKeys.schedule(device(bob)), "state"))
            .as("the check due at the window's end, after bob connected").isNull();
        b.expect("drained");
        assertStays(WINDOW.plusSeconds(2), () -> sender.callsFor(endpoint).size(), 1, "wake-ups for bob");
      }
    }
  }

  @Test
  void aRetryAfterIsHonouredThenTheWakeUpIsSent() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    sender.answerNext(new PushOutcome.Retry(Duration.ofMillis(1500), "429"));
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "hello"));
      a.expect("sent");
    }
    Poll.until(SOON.plusSeconds(2), () -> sender.callsFor(endpoint).size() == 2,
        () -> "the wake-up was not tried again after the 429");
    List<RecordingPushSender.Call> calls = sender.callsFor(endpoint);
    assertThat(calls.get(1).at() - calls.get(0).at()).as("ms between the 429 and the next try")
        .isGreaterThanOrEqualTo(1500 - 100);
    assertStays(Duration.ofSeconds(1), () -> sender.callsFor(endpoint).size(), 2, "tries after the success");
  }

  @Test
  void aTargetGoneForGoodIsRemovedAndGetsNoMoreWakeUps() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String endpoint = registerTarget(redis, bob);
    sender.answerNext(new PushOutcome.Gone("410"));
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "hello"));
      a.expect("sent");
      Poll.until(SOON, () -> redis.command("EXISTS", PushRedisKeys.target(device(bob))).equals(0L),
          () -> "the refused target was not removed");
      a.send(message("m2", bob, "again"));
      a.expect("sent");
    }
    assertStays(WINDOW.plusSeconds(2), () -> sender.callsFor(endpoint).size(), 1, "wake-ups after the 410");
  }

  @Test
  void aReceiptAloneWakesNobodyByDefault() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    String aliceEndpoint = registerTarget(redis, alice);
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "hello"));
      a.expect("sent");
    }
    try (WireClient b = WireClient.connect(vertx, server.port(), bob.accessToken())) {
      String entry = b.expect("message").getString("entry");
      b.expect("drained");
      b.send(new JsonObject().put("type", "ack").put("id", "ack-1").put("entries", new JsonArray().add(entry)));
      b.expect("ok");
      Poll.until(SOON, () -> redis.command("XLEN", io.courier.mailbox.MailboxRedisKeys.mailbox(device(alice)))
          .equals(1L), () -> "alice's delivered receipt was not stored");
    }
    assertStays(Duration.ofSeconds(2), () -> sender.callsFor(aliceEndpoint).size(), 0,
        "wake-ups for alice's delivered receipt");
  }

  @Test
  void aReceiptAloneWakesTheSenderWithPushReceiptsOn() {
    CourierServer receipts = TestServer.start(redis.url(), Map.of("webpush", sender), "push.enabled=true",
        "push.window=" + WINDOW, "push.receipts=true");
    try {
      TestAccounts own = new TestAccounts(vertx, receipts.baseUri());
      Session alice = own.register("alice");
      Session bob = own.register("bob");
      String aliceEndpoint = registerTarget(redis, alice);
      try (WireClient a = WireClient.connect(vertx, receipts.port(), alice.accessToken())) {
        a.expect("drained");
        a.send(message("m1", bob, "hello"));
        a.expect("sent");
      }
      try (WireClient b = WireClient.connect(vertx, receipts.port(), bob.accessToken())) {
        String entry = b.expect("message").getString("entry");
        b.expect("drained");
        b.send(new JsonObject().put("type", "ack").put("id", "ack-1").put("entries", new JsonArray().add(entry)));
        b.expect("ok");
      }
      Poll.until(SOON, () -> sender.callsFor(aliceEndpoint).size() == 1,
          () -> "alice was not woken for her delivered receipt");
    } finally {
      receipts.close();
    }
  }

  @Test
  void aSyncCopyWakesTheSendersOtherDevice() {
    Session alice = accounts.register("alice");
    Session alicePhone = accounts.login(alice.account());
    Session bob = accounts.register("bob");
    String phoneEndpoint = registerTarget(redis, alicePhone);
    try (WireClient a = connect(alice)) {
      a.send(message("m1", bob, "hello").put("sync", new JsonArray().add(new JsonObject()
          .put("device", alicePhone.device()).put("ciphertext", base64("copy")))));
      a.expect("sent");
    }
    Poll.until(SOON, () -> sender.callsFor(phoneEndpoint).size() == 1,
        () -> "alice's other device was not woken for the sync copy");
  }

  @Test
  void withPushOffNothingIsScheduled() {
    try (RedisProcess own = RedisProcess.builder().build().start()) {
      CourierServer off = TestServer.start(own.url(), Map.of("webpush", sender));
      try {
        TestAccounts offAccounts = new TestAccounts(vertx, off.baseUri());
        Session alice = offAccounts.register("alice");
        Session bob = offAccounts.register("bob");
        String endpoint = registerTarget(own, bob);
        try (WireClient a = WireClient.connect(vertx, off.port(), alice.accessToken());
             WireClient b = WireClient.connect(vertx, off.port(), bob.accessToken())) {
          a.expect("drained");
          b.expect("drained");
          b.close();
          a.send(message("m1", bob, "hello"));
          a.expect("sent");
        }
        assertStays(GRACE.plusSeconds(1), () -> sender.callsFor(endpoint).size(), 0, "wake-ups with push off");
        assertThat(own.command("KEYS", "push*")).as("push keys besides the target")
            .isEqualTo(List.of(PushRedisKeys.target(device(bob))));
      } finally {
        off.close();
      }
    }
  }

  static String registerTarget(RedisProcess redis, Session session) {
    String endpoint = "https://push.example/" + session.account() + "/" + session.device();
    redis.command("HSET", PushRedisKeys.target(device(session)), "kind", "webpush", "endpoint", endpoint,
        "p256dh", "BPk", "auth", "x", "digest", PushRegistrations.digest(new PushTarget.WebPush(endpoint, "BPk", "x")),
        "at", Long.toString(System.currentTimeMillis()));
    return endpoint;
  }

  static io.courier.protocol.DeviceId device(Session session) {
    return new io.courier.protocol.DeviceId(session.account(), session.device());
  }

  static JsonObject message(String id, Session to, String text) {
    return new JsonObject().put("type", "send").put("id", id).put("to", to.account())
        .put("envelopes", new JsonArray().add(new JsonObject().put("device", to.device())
            .put("ciphertext", base64(text))));
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes());
  }

  private static WireClient connect(Session session) {
    WireClient client = WireClient.connect(vertx, server.port(), session.accessToken());
    client.expect("drained");
    return client;
  }

  private static double counter(String name) {
    Counter counter = Metrics.globalRegistry.find(name).counter();
    return counter == null ? 0 : counter.count();
  }

  /** Fails as soon as {@code value} is not {@code expected}, checking for {@code duration}: what must not happen. */
  static <T> void assertStays(Duration duration, java.util.function.Supplier<T> value, T expected, String what) {
    long deadline = System.nanoTime() + duration.toNanos();
    do {
      assertThat(value.get()).as(what).isEqualTo(expected);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    } while (System.nanoTime() < deadline);
  }
}
