package io.courier.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.pushy.apns.server.AcceptAllPushNotificationHandlerFactory;
import io.courier.config.PushConfig;
import io.courier.testing.WireClient;
import io.netty.util.Version;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Pushy (built on Netty 4.1) and Vert.x (Netty 4.2) on one class path in one JVM: thousands of wake-ups through
 * ApnsSender while a Vert.x HTTP server answers a stream of requests, none lost on either side.
 */
class ApnsNettyCoexistenceTest {
  /** Wake-ups sent in the run. */
  static final int WAKE_UPS = 5_000;
  /** How many are in flight at once: Pushy queues behind the connection's stream limit. */
  static final int IN_FLIGHT = 500;

  @TempDir
  Path folder;

  @Test
  void pushyOnNetty42SendsThousandsOfWakeUpsWhileAVertxServerServes() throws Exception {
    assertThat(Version.identify().values()).allSatisfy(version ->
        assertThat(version.artifactVersion()).as(version.artifactId()).startsWith("4.2."));
    Vertx vertx = Vertx.vertx();
    TestCertificates tls = TestCertificates.loopback();
    String signingKey = "file:" + TestCertificates.write(folder.resolve("AuthKey.p8"),
        TestCertificates.pem("PRIVATE KEY", TestCertificates.ecKeyPair().getPrivate().getEncoded()));
    HttpServer http = WireClient.await(vertx.createHttpServer().requestHandler(request -> request.response()
        .end("ok")).listen(0, "127.0.0.1"));
    try (MockApns apns = new MockApns(tls, new AcceptAllPushNotificationHandlerFactory())) {
      ApnsSender sender = ApnsSender.create(vertx, TestPushConfigs.with(new PushConfig.ApnsConfig(true, signingKey,
          "KEYID12345", "TEAMID1234", "127.0.0.1", apns.port, "file:" + tls.writeCertificate(folder))), Map.of());
      AtomicBoolean sending = new AtomicBoolean(true);
      AtomicInteger served = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      WebClient client = WebClient.create(vertx);
      Future<Void> traffic = requestWhile(client, http.actualPort(), sending, served, refused);

      long began = System.nanoTime();
      List<PushOutcome> outcomes = sendAll(sender);
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      sending.set(false);
      traffic.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

      assertThat(outcomes).hasSize(WAKE_UPS).containsOnly(new PushOutcome.Accepted());
      assertThat(apns.accepted).hasSize(WAKE_UPS);
      assertThat(served.get()).as("HTTP requests served during the run").isGreaterThan(100);
      assertThat(refused.get()).isZero();
      LoggerFactory.getLogger(ApnsNettyCoexistenceTest.class).info("{} wake-ups in {} ms, {} HTTP requests served",
          WAKE_UPS, millis, served.get());
      WireClient.await(sender.close());
    } finally {
      WireClient.await(vertx.close());
    }
  }

  static List<PushOutcome> sendAll(ApnsSender sender) throws Exception {
    List<PushOutcome> outcomes = new ArrayList<>();
    for (int start = 0; start < WAKE_UPS; start += IN_FLIGHT) {
      List<Future<PushOutcome>> batch = new ArrayList<>();
      for (int i = start; i < start + IN_FLIGHT; i++) {
        batch.add(sender.send(new PushTarget.Apns(String.format("%064x", i), "com.example.courier", false)));
      }
      outcomes.addAll(Future.all(batch).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS)
          .list());
    }
    return outcomes;
  }

  /** GETs one after another (four in parallel) until {@code sending} turns false. */
  static Future<Void> requestWhile(WebClient client, int port, AtomicBoolean sending, AtomicInteger served,
      AtomicInteger refused) {
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      loops.add(loop(client, port, sending, served, refused));
    }
    return Future.all(loops).mapEmpty();
  }

  static Future<Void> loop(WebClient client, int port, AtomicBoolean sending, AtomicInteger served,
      AtomicInteger refused) {
    if (!sending.get()) {
      return Future.succeededFuture();
    }
    return client.get(port, "127.0.0.1", "/").send()
        .map(response -> response.statusCode() == 200 && "ok".equals(response.bodyAsString())
            ? served.incrementAndGet() : refused.incrementAndGet())
        .compose(counted -> loop(client, port, sending, served, refused));
  }
}
