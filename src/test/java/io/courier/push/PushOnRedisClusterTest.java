package io.courier.push;

import static io.courier.push.PushSchedulingTest.message;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.RedisClusterProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.WireClient;
import io.courier.redis.RedisClients;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Push on a 3-master Redis Cluster: the device's schedule, target, route and mailbox share its slot, the queue has
 * its own ({push}), and the worker's blocking read, scripts and acks find their nodes.
 */
class PushOnRedisClusterTest {

  @Test
  void anOfflineDeviceIsWokenOnceThenOnceMoreAfterTheWindowOnARedisCluster() {
    RecordingPushSender sender = new RecordingPushSender("webpush");
    Vertx vertx = Vertx.vertx();
    try (RedisClusterProcess cluster = RedisClusterProcess.start()) {
      CourierServer server = TestServer.start(cluster.urls(), Map.of("webpush", sender), "redis.cluster=true",
          "push.enabled=true", "push.window=PT2S");
      try {
        TestAccounts accounts = new TestAccounts(vertx, server.baseUri());
        Session alice = accounts.register("alice");
        Session bob = accounts.register("bob");
        String endpoint = "https://push.example/" + bob.account();
        Redis redis = RedisClients.create(vertx, cluster.urls(), 1, true);
        WireClient.await(redis.send(Request.cmd(Command.HSET).arg(PushRedisKeys.target(PushSchedulingTest.device(bob)))
            .arg("kind").arg("webpush").arg("endpoint").arg(endpoint).arg("p256dh").arg("k").arg("auth").arg("a")));
        redis.close();
        try (WireClient a = WireClient.connect(vertx, server.port(), alice.accessToken())) {
          a.expect("drained");
          for (int i = 0; i < 10; i++) {
            a.send(message("m" + i, bob, "hello"));
            a.expect("sent");
          }
        }
        Poll.until(Duration.ofSeconds(10), () -> sender.callsFor(endpoint).size() == 1, () -> "bob not woken");
        Poll.until(Duration.ofSeconds(10), () -> sender.callsFor(endpoint).size() == 2,
            () -> "bob not woken again after the window");
      } finally {
        server.close();
        vertx.close();
      }
    }
  }
}
