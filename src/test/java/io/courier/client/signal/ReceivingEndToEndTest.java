package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.OutgoingEnvelope;
import io.courier.client.Receipt;
import io.courier.client.Session;
import io.courier.client.TokenSource;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The receiving side of the messenger against the real server: bad ciphertexts, restarts, receipts, PreKey top-up. */
class ReceivingEndToEndTest {

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @RegisterExtension
  final Phones phones = new Phones(SERVER);

  Phone open(Session session, String folder) {
    return phones.open(session, folder);
  }

  @Test
  void anUndecryptableMessageIsReportedOnceAndAckedAndLaterMessagesStillArrive() {
    Phone alice = open(SERVER.accounts().register("alice"), "alice");
    Phone bob = open(SERVER.accounts().register("bob"), "bob");
    Session mallory = SERVER.accounts().register("mallory");
    CourierClient raw = new CourierClient(SERVER.vertx(), ClientOptions.create(URI.create(SERVER.baseUri()),
        TokenSource.fixed(mallory.accessToken())));
    try {
      WireClient.await(raw.connect());
      WireClient.await(raw.send("garbage-1", bob.account(),
          List.of(OutgoingEnvelope.of(bob.device(), new byte[] {3, 1, 2, 3, 4})), null));
      WireClient.await(raw.send("garbage-2", bob.account(),
          List.of(OutgoingEnvelope.of(bob.device(), "plain text".getBytes())), null));
    } finally {
      WireClient.await(raw.close());
    }
    String id = alice.send(bob.account(), "a real one");

    Poll.until(Phone.WAIT, () -> bob.messages.size() == 1, () -> "the real message after the bad ones");
    assertThat(bob.undecryptable).hasSize(2);
    assertThat(bob.undecryptable.get(0)).startsWith(mallory.account() + "." + mallory.device() + " garbage-1: ");
    assertThat(bob.undecryptable.get(1)).startsWith(mallory.account() + "." + mallory.device() + " garbage-2: ");
    assertThat(bob.ids()).containsExactly(id);
    Poll.until(Phone.WAIT, () -> SERVER.mailboxLength(bob.session) == 0, () -> "the bad messages were acked");
  }

  @Test
  void sessionsAndHandledMessagesSurviveARestartOfBothSides() {
    Session aliceSession = SERVER.accounts().register("alice");
    Session bobSession = SERVER.accounts().register("bob");
    Phone alice = Phone.open(SERVER, aliceSession, phones.root().resolve("alice"));
    Phone bob = Phone.open(SERVER, bobSession, phones.root().resolve("bob"));
    alice.send(bob.account(), "before the restart");
    Poll.until(Phone.WAIT, () -> bob.messages.size() == 1, () -> "first message");
    bob.send(alice.account(), "ack before the restart");
    Poll.until(Phone.WAIT, () -> alice.messages.size() == 1, () -> "first answer");
    alice.close();
    bob.close();

    Phone aliceAgain = open(aliceSession, "alice");
    Phone bobAgain = open(bobSession, "bob");
    aliceAgain.send(bob.account(), "after the restart");
    Poll.until(Phone.WAIT, () -> bobAgain.messages.size() == 1, () -> "message after the restart");
    bobAgain.send(alice.account(), "still here");
    Poll.until(Phone.WAIT, () -> aliceAgain.messages.size() == 1, () -> "answer after the restart");

    assertThat(bobAgain.shown()).containsExactly(alice.account() + " -> me: after the restart");
    assertThat(aliceAgain.shown()).containsExactly(bob.account() + " -> me: still here");
    assertThat(aliceAgain.messenger.store().sessionDevices(bob.account())).containsExactly(bob.device());
    assertThat(List.of(aliceAgain, bobAgain)).allSatisfy(phone -> assertThat(phone.undecryptable).isEmpty());
  }

  @Test
  void theSenderGetsDeliveredAndReadReceipts() {
    Phone alice = open(SERVER.accounts().register("alice"), "alice");
    Phone bob = open(SERVER.accounts().register("bob"), "bob");

    String id = alice.send(bob.account(), "did you read this?");
    Poll.until(Phone.WAIT, () -> alice.hasReceipt(Receipt.DELIVERED, id), () -> "double tick");
    WireClient.await(bob.messenger.markRead(alice.account(), List.of(id)));

    Poll.until(Phone.WAIT, () -> alice.hasReceipt(Receipt.READ, id), () -> "blue tick");
  }

  @Test
  void oneTimePreKeysAreToppedUpAfterASessionStartOnceTheyRunLow() {
    Phone bob = open(SERVER.accounts().register("bob"), "bob");
    KeysApi bobKeys = keysApi(bob.session);
    assertThat(WireClient.await(bobKeys.count())).isEqualTo(new KeysApi.PreKeyCount(100, 100));
    // others drain Bob's one-time keys (at most 30 fetches per minute per requester and target)
    for (int requester = 0; requester < 3; requester++) {
      KeysApi drainer = keysApi(SERVER.accounts().register("drainer"));
      for (int fetch = 0; fetch < 28; fetch++) {
        WireClient.await(drainer.bundles(bob.account()));
      }
    }
    assertThat(WireClient.await(bobKeys.count())).isEqualTo(new KeysApi.PreKeyCount(16, 16));
    Phone alice = open(SERVER.accounts().register("alice"), "alice");

    alice.send(bob.account(), "take a key");

    Poll.until(Phone.WAIT, () -> bob.messages.size() == 1, () -> "the session start arrived");
    Poll.untilValue(Phone.WAIT, () -> WireClient.await(bobKeys.count()),
        count -> count.equals(new KeysApi.PreKeyCount(100, 100)), () -> "Bob topped up to 100 of each");
  }

  static KeysApi keysApi(Session session) {
    return new KeysApi(new BearerWeb(WebClient.create(SERVER.vertx()), URI.create(SERVER.baseUri()),
        TokenSource.fixed(session.accessToken())));
  }
}
