package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.ClientListener;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.CourierException;
import io.courier.client.IncomingMessage;
import io.courier.client.OutgoingEnvelope;
import io.courier.client.Session;
import io.courier.client.TokenSource;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport additions the messenger builds on, through {@link CourierClient} alone: per-device registration
 * ids, {@code sync} copies that arrive with {@code to}, and the device-set details of {@code MISMATCHED_DEVICES} and
 * {@code STALE_DEVICES} on the failed send.
 */
class TransportDeviceSetEndToEndTest {

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @TempDir
  Path root;

  static final byte[] OPAQUE = {1, 2, 3};

  CourierClient client(Session session, ClientListener listener) {
    CourierClient client = new CourierClient(SERVER.vertx(), ClientOptions.create(URI.create(SERVER.baseUri()),
        TokenSource.fixed(session.accessToken())).withListener(listener));
    WireClient.await(client.connect());
    return client;
  }

  static CourierException refusal(Runnable send) {
    try {
      send.run();
    } catch (CourierException refused) {
      return refused;
    }
    throw new AssertionError("the send was not refused");
  }

  @Test
  void refusedSendsNameTheAccountAndTheMissingExtraAndStaleDevices() {
    Session alice = SERVER.accounts().register("alice");
    Phone bob = Phone.open(SERVER, SERVER.accounts().register("bob"), root.resolve("bob"));
    int registrationId = bob.messenger.store().getLocalRegistrationId();
    CourierClient sender = client(alice, ClientListener.NONE);
    try {
      CourierException mismatch = refusal(() -> WireClient.await(sender.send("m-1", bob.account(),
          List.of(OutgoingEnvelope.of(7, OPAQUE)), null)));
      CourierException stale = refusal(() -> WireClient.await(sender.send("m-2", bob.account(),
          List.of(new OutgoingEnvelope(bob.device(), registrationId == 1 ? 2 : 1, OPAQUE)), null)));

      assertThat(mismatch.code()).isEqualTo("MISMATCHED_DEVICES");
      assertThat(mismatch.account()).isEqualTo(bob.account());
      assertThat(mismatch.missing()).containsExactly(bob.device());
      assertThat(mismatch.extra()).containsExactly(7);
      assertThat(mismatch.stale()).isEmpty();
      assertThat(stale.code()).isEqualTo("STALE_DEVICES");
      assertThat(stale.account()).isEqualTo(bob.account());
      assertThat(stale.stale()).containsExactly(bob.device());
      assertThat(stale.missing()).isEmpty();
      assertThat(WireClient.await(sender.send("m-2", bob.account(),
          List.of(new OutgoingEnvelope(bob.device(), registrationId, OPAQUE)), null)).id())
          .as("the same id may be sent again once it failed").isEqualTo("m-2");
    } finally {
      WireClient.await(sender.close());
      bob.close();
    }
  }

  @Test
  void syncCopiesAreCheckedAgainstTheSendersDevicesAndArriveWithTo() {
    Phone alicePhone = Phone.open(SERVER, SERVER.accounts().register("alice"), root.resolve("alice"));
    Session aliceTabletSession = Phone.link(SERVER, alicePhone, root.resolve("alice-tablet"));
    Phone bob = Phone.open(SERVER, SERVER.accounts().register("bob"), root.resolve("bob"));
    int tabletRegistrationId = FileSignalStore.open(FileSignalStore.deviceDir(root.resolve("alice-tablet"),
        aliceTabletSession.account(), aliceTabletSession.device())).getLocalRegistrationId();
    List<IncomingMessage> tabletGot = Collections.synchronizedList(new ArrayList<>());
    CourierClient sender = client(alicePhone.session, ClientListener.NONE);
    CourierClient tablet = client(aliceTabletSession, new ClientListener() {
      @Override
      public void onMessage(IncomingMessage message) {
        tabletGot.add(message);
      }
    });
    try {
      List<OutgoingEnvelope> toBob = List.of(OutgoingEnvelope.of(bob.device(), OPAQUE));
      CourierException ownMissing = refusal(() -> WireClient.await(sender.send("s-1", bob.account(), toBob,
          List.of(OutgoingEnvelope.of(9, OPAQUE)))));

      assertThat(ownMissing.code()).isEqualTo("MISMATCHED_DEVICES");
      assertThat(ownMissing.account()).isEqualTo(alicePhone.account());
      assertThat(ownMissing.missing()).containsExactly(aliceTabletSession.device());
      assertThat(ownMissing.extra()).containsExactly(9);

      WireClient.await(sender.send("s-2", bob.account(), toBob,
          List.of(new OutgoingEnvelope(aliceTabletSession.device(), tabletRegistrationId, OPAQUE))));
      Poll.until(Phone.WAIT, () -> tabletGot.size() == 1, () -> "the tablet got the sync copy");
      assertThat(tabletGot.get(0).to()).isEqualTo(bob.account());
      assertThat(tabletGot.get(0).from()).isEqualTo(alicePhone.account());
      assertThat(tabletGot.get(0).id()).isEqualTo("s-2");
      assertThat(tabletGot.get(0).ciphertext()).isEqualTo(OPAQUE);
    } finally {
      WireClient.await(sender.close());
      WireClient.await(tablet.close());
      alicePhone.close();
      bob.close();
    }
  }
}
