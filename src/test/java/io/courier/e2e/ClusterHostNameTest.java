package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.media.EmbeddedS3;
import io.courier.testing.FreePort;
import io.courier.testing.RedisProcess;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Nodes whose {@code cluster.host} and {@code cluster.members} are host names (as a container platform hands them
 * out) form one cluster and deliver live across it: the host name is resolved to its address for Hazelcast's
 * interface list, which takes addresses only. Here the host name is {@code localhost}.
 */
class ClusterHostNameTest {

  @Test
  void nodesNamedByHostNameFormOneClusterAndDeliverLiveAcrossIt() throws Exception {
    try (RedisProcess redis = RedisProcess.builder().build().start()) {
      EmbeddedS3 s3 = EmbeddedS3.start(Files.createTempDirectory("courier-s3-"), 8 * 1024 * 1024, List.of());
      Path access = Files.writeString(Files.createTempFile("s3-access", ""), s3.accessKey());
      Path secret = Files.writeString(Files.createTempFile("s3-secret", ""), s3.secretKey());
      int portA = FreePort.pick();
      int portB = FreePort.pick();
      List<String> shared = new ArrayList<>(List.of(TestTokens.generate().serverOverrides()));
      shared.addAll(List.of("cluster.enabled=true", "cluster.name=hostname-" + UUID.randomUUID(),
          "cluster.host=localhost", "cluster.members=localhost:" + portA + ",localhost:" + portB,
          "media.endpoint=" + s3.endpoint(), "media.accessKey=file:" + access, "media.secretKey=file:" + secret));
      List<String> a = new ArrayList<>(shared);
      a.add("cluster.port=" + portA);
      List<String> b = new ArrayList<>(shared);
      b.add("cluster.port=" + portB);
      Vertx vertx = Vertx.vertx();
      try (CourierServer nodeA = TestServer.start(redis.url(), a.toArray(String[]::new));
           CourierServer nodeB = TestServer.start(redis.url(), b.toArray(String[]::new))) {
        TestAccounts accounts = new TestAccounts(vertx, nodeA.baseUri());
        Session alice = accounts.register("alice");
        Session bob = accounts.register("bob");
        try (WireClient onA = WireClient.connect(vertx, nodeA.port(), alice.accessToken());
             WireClient onB = WireClient.connect(vertx, nodeB.port(), bob.accessToken())) {
          onA.expect("drained");
          onB.expect("drained");
          onA.send(OneToOneChatTest.sendFrame("m1", bob.account(), bob.device(), "across the cluster"));
          onA.expect("sent");
          assertThat(onB.expect("message").getString("id")).as("delivered live on the other node").isEqualTo("m1");
        }
      } finally {
        vertx.close();
        s3.close();
      }
    }
  }
}
