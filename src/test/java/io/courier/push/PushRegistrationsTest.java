package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.DeviceId;
import io.courier.redis.RedisClients;
import io.courier.testing.RedisProcess;
import io.courier.testing.TestIds;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link PushRegistrations} on a real {@code redis-server}: what the push workers call. */
class PushRegistrationsTest {
  static RedisProcess server;
  static Vertx vertx;
  static PushRegistrations registrations;

  @BeforeAll
  static void start() {
    server = RedisProcess.builder().build().start();
    vertx = Vertx.vertx();
    Redis redis = RedisClients.create(vertx, server.url(), 2, false);
    registrations = new PushRegistrations(redis);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    server.close();
  }

  static DeviceId device() {
    return new DeviceId(TestIds.unique("reg"), 1);
  }

  @Test
  void findGivesBackEachKindAsRegistered() {
    for (PushTarget target : List.of(new PushTarget.Apns("ab".repeat(32), "chat.courier.app", true),
        new PushTarget.Fcm("fcm:" + "t".repeat(60)),
        new PushTarget.WebPush("https://push.example/sub/1", PushTestKeys.p256dh(), PushTestKeys.auth()))) {
      DeviceId device = device();
      assertThat(registrations.find(device).await()).isEmpty();
      registrations.register(device, target).await();
      assertThat(registrations.find(device).await()).isEqualTo(Optional.of(target));
    }
  }

  @Test
  void removeIfStillRemovesOnlyTheTargetItWasGiven() {
    DeviceId device = device();
    PushTarget old = new PushTarget.Fcm("fcm:" + "o".repeat(60));
    PushTarget current = new PushTarget.Fcm("fcm:" + "n".repeat(60) + device.account().replaceAll("\\W", ""));
    registrations.register(device, old).await();
    registrations.register(device, current).await();

    assertThat(registrations.removeIfStill(device, old).await()).as("replaced meanwhile").isFalse();
    assertThat(registrations.find(device).await()).contains(current);
    String owner = PushRedisKeys.tokenOwner(PushRegistrations.digest(current));
    assertThat(server.command("GET", owner)).isEqualTo(device.account() + ":1");

    assertThat(registrations.removeIfStill(device, current).await()).isTrue();
    assertThat(registrations.find(device).await()).isEmpty();
    assertThat(server.command("EXISTS", owner)).isEqualTo(0L);
    assertThat(registrations.removeIfStill(device, current).await()).as("already gone").isFalse();
  }
}
