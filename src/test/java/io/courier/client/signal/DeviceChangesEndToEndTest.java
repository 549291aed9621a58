package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.CourierException;
import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The device set changes under a sender: a Device is added ({@code MISMATCHED_DEVICES} missing), removed
 * ({@code extra}), re-registers ({@code STALE_DEVICES}), or re-registers with a new identity. The sender recovers by
 * itself and the message arrives once, or, for a new identity, the change is reported and sending waits for trust.
 */
class DeviceChangesEndToEndTest {

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @RegisterExtension
  final Phones phones = new Phones(SERVER);

  Phone open(Session session, String folder) {
    return phones.open(session, folder);
  }

  Phone register(String name) {
    return phones.register(name);
  }

  Phone linkTo(Phone existing, String folder) {
    return open(Phone.link(SERVER, existing, phones.root().resolve(folder)), folder);
  }

  static void awaitShown(Phone phone, int count) {
    Poll.until(Phone.WAIT, () -> phone.messages.size() >= count,
        () -> phone.account() + "." + phone.device() + " shows " + count + ": " + phone.shown());
  }

  @Test
  void aLinkWithAWrongSecretFailsAndLeavesNoDeviceBehind() {
    Phone alice = register("alice");
    LinkOffer offer = WireClient.await(alice.messenger.offerLink());
    int secret = offer.text().indexOf('#') + 1;
    char first = offer.text().charAt(secret);
    String wrongSecret = offer.text().substring(0, secret) + (first == 'A' ? 'B' : 'A')
        + offer.text().substring(secret + 1);

    assertThatThrownBy(() -> WireClient.await(SecureMessenger.link(SERVER.vertx(), URI.create(SERVER.baseUri()),
        wrongSecret, "tablet", phones.root().resolve("tablet"))))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(SecureMessenger.PROVISIONING_INVALID));
    assertThatThrownBy(() -> WireClient.await(SecureMessenger.link(SERVER.vertx(), URI.create(SERVER.baseUri()),
        offer.text(), "tablet", phones.root().resolve("tablet"))))
        .as("the code works once").isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo("LINK_CODE_INVALID"));
    assertThat(WireClient.await(alice.messenger.devices())).extracting(DevicesApi.DeviceInfo::device)
        .containsExactly(alice.device());
    assertThat(offer.toString()).doesNotContain("#");
  }

  @Test
  void aSendToAContactWhoLinkedADeviceRecoversFromMissingAndArrivesOnceEverywhere() {
    Phone alice = register("alice");
    Phone bob = register("bob");
    alice.send(bob.account(), "first");
    awaitShown(bob, 1);
    Phone bobTablet = linkTo(bob, "bob-tablet");
    assertThat(alice.messenger.store().sessionDevices(bob.account())).containsExactly(bob.device());

    String second = alice.send(bob.account(), "second");

    awaitShown(bob, 2);
    awaitShown(bobTablet, 1);
    assertThat(alice.messenger.store().sessionDevices(bob.account()))
        .containsExactly(bob.device(), bobTablet.device());
    assertThat(bob.shown()).containsExactly(alice.account() + " -> me: first", alice.account() + " -> me: second");
    assertThat(bobTablet.ids()).containsExactly(second);
    assertThat(bobTablet.shown()).containsExactly(alice.account() + " -> me: second");
    Poll.until(Phone.WAIT, () -> SERVER.mailboxLength(bob.session) == 0 && SERVER.mailboxLength(bobTablet.session)
        == 0, () -> "nothing stored twice or left over");
    assertThat(bob.messages).hasSize(2);
    assertThat(bobTablet.messages).hasSize(1);
  }

  @Test
  void aSendAfterTheSendersOwnNewDeviceAppearedRecoversAndTheNewDeviceGetsTheSyncCopy() {
    Phone alice = register("alice");
    Phone bob = register("bob");
    alice.send(bob.account(), "before the tablet");
    awaitShown(bob, 1);
    Phone aliceTablet = linkTo(alice, "alice-tablet");

    String id = alice.send(bob.account(), "after the tablet");

    awaitShown(aliceTablet, 1);
    assertThat(aliceTablet.shown()).containsExactly(alice.account() + " -> " + bob.account() + ": after the tablet");
    assertThat(aliceTablet.ids()).containsExactly(id);
    awaitShown(bob, 2);
    assertThat(bob.ids()).hasSize(2).endsWith(id);
  }

  @Test
  void aSendToAContactWhoUnlinkedADeviceRecoversFromExtraAndArrivesOnce() {
    Phone alice = register("alice");
    Phone bob = register("bob");
    Phone bobTablet = linkTo(bob, "bob-tablet");
    alice.send(bob.account(), "to both");
    awaitShown(bob, 1);
    awaitShown(bobTablet, 1);
    WireClient.await(bob.messenger.unlinkDevice(bobTablet.device()));

    String id = alice.send(bob.account(), "to the phone only");

    awaitShown(bob, 2);
    assertThat(bob.ids()).hasSize(2).endsWith(id);
    assertThat(bob.shown()).containsExactly(alice.account() + " -> me: to both",
        alice.account() + " -> me: to the phone only");
    assertThat(alice.messenger.store().sessionDevices(bob.account())).containsExactly(bob.device());
    assertThat(bobTablet.messages).hasSize(1);
  }

  @Test
  void aSendToADeviceThatReRegisteredRecoversFromStaleAndBothSidesGoOn() {
    Phone alice = register("alice");
    Phone bob = register("bob");
    alice.send(bob.account(), "hello");
    awaitShown(bob, 1);
    int oldRegistrationId = bob.messenger.store().getLocalRegistrationId();

    WireClient.await(bob.messenger.reRegister(false));
    String id = alice.send(bob.account(), "hello again");

    assertThat(bob.messenger.store().getLocalRegistrationId()).isNotEqualTo(oldRegistrationId);
    awaitShown(bob, 2);
    assertThat(bob.ids()).hasSize(2).endsWith(id);
    assertThat(bob.shown()).containsExactly(alice.account() + " -> me: hello", alice.account() + " -> me: hello again");
    bob.send(alice.account(), "I reinstalled");
    awaitShown(alice, 1);
    assertThat(alice.shown()).containsExactly(bob.account() + " -> me: I reinstalled");
    assertThat(List.of(alice, bob)).allSatisfy(phone -> assertThat(phone.identityChanges).isEmpty())
        .allSatisfy(phone -> assertThat(phone.undecryptable).isEmpty());
  }

  @Test
  void aContactWhoReRegisteredWithANewIdentityIsReportedAndRefusedUntilTrusted() {
    Phone alice = register("alice");
    Session bobFirst = SERVER.accounts().register("bob");
    Phone bob = open(bobFirst, "bob-old");
    alice.send(bob.account(), "before");
    awaitShown(bob, 1);
    String oldSafetyNumber = alice.messenger.safetyNumber(bob.account());
    assertThat(bob.messenger.safetyNumber(alice.account())).isEqualTo(oldSafetyNumber);

    // Bob reinstalls: his old device logs out, and a log-in on an empty store makes a new identity
    WireClient.await(SERVER.accounts().api().logout(bobFirst.accessToken()));
    Phone newBob = open(SERVER.accounts().login(bob.account()), "bob-new");
    assertThat(newBob.messenger.identityKey()).isNotEqualTo(bob.messenger.identityKey());

    assertThatThrownBy(() -> alice.send(bob.account(), "are you still you?"))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(SecureMessenger.IDENTITY_CHANGED));
    String expected = SafetyNumbers.of(alice.account(), alice.messenger.identityKey(), bob.account(),
        newBob.messenger.identityKey());
    assertThat(alice.identityChanges).containsExactly(bob.account() + ": " + expected);
    assertThat(expected).isNotEqualTo(oldSafetyNumber);
    assertThatThrownBy(() -> alice.send(bob.account(), "still refused"))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(SecureMessenger.IDENTITY_CHANGED));
    assertThat(alice.identityChanges).as("reported once").hasSize(1);
    assertThat(SERVER.mailboxLength(newBob.session)).as("nothing was sent").isZero();

    alice.messenger.trust(bob.account());
    String id = alice.send(bob.account(), "verified, hello new bob");

    awaitShown(newBob, 1);
    assertThat(newBob.ids()).containsExactly(id);
    assertThat(newBob.shown()).containsExactly(alice.account() + " -> me: verified, hello new bob");
    assertThat(alice.messenger.safetyNumber(bob.account())).isEqualTo(expected);
    assertThat(newBob.messenger.safetyNumber(alice.account())).isEqualTo(expected);
  }

  @Test
  void aMessageFromAContactWithANewIdentityIsShownReportedAndBlocksSendingUntilTrusted() {
    Phone alice = register("alice");
    Phone bob = register("bob");
    alice.send(bob.account(), "hi");
    awaitShown(bob, 1);

    WireClient.await(bob.messenger.reRegister(true));
    bob.send(alice.account(), "new phone, who dis");

    awaitShown(alice, 1);
    assertThat(alice.shown()).containsExactly(bob.account() + " -> me: new phone, who dis");
    assertThat(alice.identityChanges).containsExactly(bob.account() + ": " + SafetyNumbers.of(alice.account(),
        alice.messenger.identityKey(), bob.account(), bob.messenger.identityKey()));
    assertThatThrownBy(() -> alice.send(bob.account(), "wait"))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(SecureMessenger.IDENTITY_CHANGED));
    // after a restart the refusal holds, and the change is reported again
    phones.close(alice);
    Phone aliceAgain = open(alice.session, "alice");
    assertThatThrownBy(() -> aliceAgain.send(bob.account(), "still waiting"))
        .isInstanceOfSatisfying(CourierException.class,
            refused -> assertThat(refused.code()).isEqualTo(SecureMessenger.IDENTITY_CHANGED));
    assertThat(aliceAgain.identityChanges).containsExactlyElementsOf(alice.identityChanges);

    aliceAgain.messenger.trust(bob.account());
    aliceAgain.send(bob.account(), "ok, trusted");

    awaitShown(bob, 2);
    assertThat(new String(bob.messages.get(1).plaintext(), StandardCharsets.UTF_8)).isEqualTo("ok, trusted");
    assertThat(bob.messenger.safetyNumber(alice.account()))
        .isEqualTo(aliceAgain.messenger.safetyNumber(bob.account()));
    assertThat(List.of(aliceAgain, bob)).allSatisfy(phone -> assertThat(phone.undecryptable).isEmpty());
  }
}
