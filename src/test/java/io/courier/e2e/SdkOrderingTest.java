package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.Sent;
import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device's messages keep their order when the server refuses some of them for a while: the SDK holds its outbox
 * after a temporary refusal and resends in issue order, and the send limit refuses the rest of a burst once it has
 * refused one (RateLimiter), so no later send gets in before an earlier refused one.
 */
class SdkOrderingTest {
  static final TestTokens KEYS = TestTokens.generate();
  /** A burst of 3, then a token every 200 ms: most of the sends below are refused at least once. */
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(Stream.concat(Stream.of(KEYS.serverOverrides()),
      Stream.of("limits.sendsPerSecond=5", "limits.sendBurst=3")).toArray(String[]::new));
  static final int MESSAGES = 16;

  @Test
  void sendsRefusedForTheRateLimitArriveInTheOrderTheyWereSent() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    SdkChatTest.Recorder bobApp = new SdkChatTest.Recorder();
    CourierClient a = SdkChatTest.client(SERVER, alice, SERVER.port(), new SdkChatTest.Recorder(),
        ClientOptions.DEFAULT_ACK_DELAY);
    CourierClient b = SdkChatTest.client(SERVER, bob, SERVER.port(), bobApp, ClientOptions.DEFAULT_ACK_DELAY);
    try {
      // Half at once, half while the first refusals are being waited out: new sends meet refused ones.
      List<Future<Sent>> sent = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        sent.add(a.send(bob.account(), SdkChatTest.to(bob, "m" + i)));
        if (i >= MESSAGES / 2) {
          sleepQuietly(Duration.ofMillis(40));
        }
      }
      WireClient.await(Future.all(sent));
      Poll.until(Duration.ofSeconds(30), () -> bobApp.texts().size() >= MESSAGES,
          () -> "Bob has " + bobApp.texts());

      assertThat(bobApp.texts()).containsExactlyElementsOf(IntStream.range(0, MESSAGES).mapToObj(i -> "m" + i)
          .toList());
    } finally {
      WireClient.await(a.close());
      WireClient.await(b.close());
    }
  }

  /** Spaces the sends out in time, as an app's user would; not a wait for a condition. */
  private static void sleepQuietly(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
