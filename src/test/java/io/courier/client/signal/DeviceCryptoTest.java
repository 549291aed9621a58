package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.OutgoingEnvelope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.signal.libsignal.protocol.DuplicateMessageException;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidMessageException;
import org.signal.libsignal.protocol.UntrustedIdentityException;
import org.signal.libsignal.protocol.message.CiphertextMessage;

/** Two parties exchange messages with the SDK's session code and stores, without a server. */
class DeviceCryptoTest {

  @TempDir
  Path root;

  FileSignalStore aliceStore;
  FileSignalStore bobStore;
  DeviceKeys.FirstUpload bobKeys;
  DeviceCrypto alice;
  DeviceCrypto bob;

  @BeforeEach
  void twoDevices() {
    aliceStore = TestDevices.withKeys(root, "alice", 1, IdentityKeyPair.generate());
    bobStore = FileSignalStore.create(FileSignalStore.deviceDir(root, "bob", 3), "bob", 3,
        IdentityKeyPair.generate(), 1234);
    bobKeys = DeviceKeys.generateFirstUpload(bobStore);
    alice = new DeviceCrypto(aliceStore);
    bob = new DeviceCrypto(bobStore);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(DeviceCrypto.Decrypted decrypted) {
    return new String(MessagePayload.decode(decrypted.payload()).body(), StandardCharsets.UTF_8);
  }

  @Test
  void partiesExchangeMessagesBothWaysAfterASessionStartFromABundle() throws Exception {
    alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(bobStore, 3, bobKeys, 5)));

    OutgoingEnvelope first = alice.encrypt("bob", 3, MessagePayload.direct(utf8("hello bob")));
    OutgoingEnvelope second = alice.encrypt("bob", 3, MessagePayload.direct(utf8("are you there?")));

    assertThat(first.device()).isEqualTo(3);
    assertThat(first.registrationId()).isEqualTo(1234);
    assertThat(first.ciphertext()[0]).isEqualTo((byte) CiphertextMessage.PREKEY_TYPE);
    DeviceCrypto.Decrypted got = bob.decrypt("alice", 1, first.ciphertext());
    assertThat(text(got)).isEqualTo("hello bob");
    assertThat(got.preKeyIdentity()).isEqualTo(aliceStore.getIdentityKeyPair().getPublicKey());
    assertThat(text(bob.decrypt("alice", 1, second.ciphertext()))).isEqualTo("are you there?");
    assertThat(bobStore.containsPreKey(bobKeys.preKeys().get(5).getId())).as("one-time key used up").isFalse();
    assertThat(bobStore.containsKyberPreKey(bobKeys.kyberPreKeys().get(5).getId())).isFalse();

    OutgoingEnvelope reply = bob.encrypt("alice", 1, MessagePayload.direct(utf8("yes, hi alice")));
    assertThat(reply.ciphertext()[0]).isEqualTo((byte) CiphertextMessage.WHISPER_TYPE);
    DeviceCrypto.Decrypted answer = alice.decrypt("bob", 3, reply.ciphertext());
    assertThat(text(answer)).isEqualTo("yes, hi alice");
    assertThat(answer.preKeyIdentity()).isNull();

    for (int i = 0; i < 5; i++) {
      OutgoingEnvelope ping = alice.encrypt("bob", 3, MessagePayload.direct(utf8("ping " + i)));
      assertThat(text(bob.decrypt("alice", 1, ping.ciphertext()))).isEqualTo("ping " + i);
      OutgoingEnvelope pong = bob.encrypt("alice", 1, MessagePayload.direct(utf8("pong " + i)));
      assertThat(text(alice.decrypt("bob", 3, pong.ciphertext()))).isEqualTo("pong " + i);
    }
  }

  @Test
  void aSessionStartsFromTheLastResortKeysWhenNoOneTimeKeyIsLeft() throws Exception {
    alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(bobStore, 3, bobKeys, -1)));

    OutgoingEnvelope message = alice.encrypt("bob", 3, MessagePayload.direct(utf8("last resort")));

    assertThat(text(bob.decrypt("alice", 1, message.ciphertext()))).isEqualTo("last resort");
    assertThat(bobStore.containsKyberPreKey(bobKeys.lastResort().getId())).isTrue();
  }

  @Test
  void sessionsSurviveAReopenOfBothStores() throws Exception {
    alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(bobStore, 3, bobKeys, 0)));
    OutgoingEnvelope first = alice.encrypt("bob", 3, MessagePayload.direct(utf8("one")));
    bob.decrypt("alice", 1, first.ciphertext());

    DeviceCrypto aliceAgain = new DeviceCrypto(FileSignalStore.open(aliceStore.dir()));
    DeviceCrypto bobAgain = new DeviceCrypto(FileSignalStore.open(bobStore.dir()));

    OutgoingEnvelope second = aliceAgain.encrypt("bob", 3, MessagePayload.direct(utf8("two")));
    assertThat(text(bobAgain.decrypt("alice", 1, second.ciphertext()))).isEqualTo("two");
    OutgoingEnvelope back = bobAgain.encrypt("alice", 1, MessagePayload.direct(utf8("three")));
    assertThat(text(aliceAgain.decrypt("bob", 3, back.ciphertext()))).isEqualTo("three");
  }

  @Test
  void aRepeatedCiphertextIsADuplicateAndATamperedOneIsInvalid() throws Exception {
    alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(bobStore, 3, bobKeys, 0)));
    OutgoingEnvelope first = alice.encrypt("bob", 3, MessagePayload.direct(utf8("one")));
    bob.decrypt("alice", 1, first.ciphertext());
    OutgoingEnvelope reply = bob.encrypt("alice", 1, MessagePayload.direct(utf8("ok")));
    alice.decrypt("bob", 3, reply.ciphertext());
    OutgoingEnvelope second = alice.encrypt("bob", 3, MessagePayload.direct(utf8("two")));
    byte[] tampered = second.ciphertext().clone();
    tampered[tampered.length - 12] ^= 1;

    assertThatThrownBy(() -> bob.decrypt("alice", 1, tampered)).isInstanceOf(InvalidMessageException.class);
    bob.decrypt("alice", 1, second.ciphertext());
    assertThatThrownBy(() -> bob.decrypt("alice", 1, second.ciphertext()))
        .isInstanceOf(DuplicateMessageException.class);
    assertThatThrownBy(() -> bob.decrypt("alice", 1, new byte[] {9, 1, 2}))
        .isInstanceOf(InvalidMessageException.class);
  }

  @Test
  void encryptingToAChangedIdentityIsRefusedUntilItIsAccepted() throws Exception {
    alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(bobStore, 3, bobKeys, 0)));
    FileSignalStore newBob = TestDevices.withKeys(root.resolve("reinstalled"), "bob", 3, IdentityKeyPair.generate());
    DeviceKeys.FirstUpload newKeys = DeviceKeys.generateFirstUpload(newBob);

    assertThatThrownBy(() -> alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(newBob, 3, newKeys, 0))))
        .isInstanceOf(UntrustedIdentityException.class);

    aliceStore.acceptIdentity("bob", newBob.getIdentityKeyPair().getPublicKey());
    alice.startSession("bob", KeysApi.bundle(TestDevices.bundleJson(newBob, 3, newKeys, 0)));
    OutgoingEnvelope message = alice.encrypt("bob", 3, MessagePayload.direct(utf8("hello new bob")));
    assertThat(text(new DeviceCrypto(newBob).decrypt("alice", 1, message.ciphertext()))).isEqualTo("hello new bob");
  }

  @Test
  void aSyncCopyCarriesItsConversationInsideTheCiphertext() throws Exception {
    FileSignalStore aliceTablet = TestDevices.withKeys(root, "alice", 2, aliceStore.getIdentityKeyPair());
    DeviceKeys.FirstUpload tabletKeys = DeviceKeys.generateFirstUpload(aliceTablet);
    alice.startSession("alice", KeysApi.bundle(TestDevices.bundleJson(aliceTablet, 2, tabletKeys, 0)));

    OutgoingEnvelope copy = alice.encrypt("alice", 2, MessagePayload.sync("bob", utf8("hello bob")));

    MessagePayload.Decoded decoded = MessagePayload.decode(
        new DeviceCrypto(aliceTablet).decrypt("alice", 1, copy.ciphertext()).payload());
    assertThat(decoded.conversation()).isEqualTo("bob");
    assertThat(new String(decoded.body(), StandardCharsets.UTF_8)).isEqualTo("hello bob");
  }
}
