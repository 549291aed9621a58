package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.signal.libsignal.protocol.IdentityKey;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.InvalidKeyIdException;
import org.signal.libsignal.protocol.ReusedBaseKeyException;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.state.IdentityKeyStore;
import org.signal.libsignal.protocol.state.SessionRecord;

class FileSignalStoreTest {

  @TempDir
  Path root;

  private FileSignalStore newStore(String account, int device) {
    return FileSignalStore.create(FileSignalStore.deviceDir(root, account, device), account, device,
        IdentityKeyPair.generate(), 4711);
  }

  @Test
  void everyKindOfRecordSurvivesAReopen() throws Exception {
    FileSignalStore alice = newStore("alice", 1);
    FileSignalStore bob = newStore("bob", 2);
    DeviceKeys.FirstUpload upload = DeviceKeys.generateFirstUpload(alice);
    SignalProtocolAddress bob2 = new SignalProtocolAddress("bob", 2);
    alice.saveIdentity(bob2, bob.getIdentityKeyPair().getPublicKey());
    new DeviceCrypto(alice).startSession("bob", TestDevices.freshBundle(bob, 2));
    byte[] session = alice.loadSession(new SignalProtocolAddress("bob", 2)).serialize();
    alice.markUploaded();

    FileSignalStore reopened = FileSignalStore.open(alice.dir());

    assertThat(reopened.account()).isEqualTo("alice");
    assertThat(reopened.device()).isEqualTo(1);
    assertThat(reopened.getLocalRegistrationId()).isEqualTo(4711);
    assertThat(reopened.uploadedRegistrationId()).isEqualTo(4711);
    assertThat(reopened.getIdentityKeyPair().serialize()).isEqualTo(alice.getIdentityKeyPair().serialize());
    assertThat(reopened.getIdentity(bob2)).isEqualTo(bob.getIdentityKeyPair().getPublicKey());
    assertThat(reopened.currentIdentity("bob")).isEqualTo(bob.getIdentityKeyPair().getPublicKey());
    assertThat(reopened.sessionDevices("bob")).containsExactly(2);
    assertThat(reopened.loadSession(bob2).serialize()).isEqualTo(session);
    assertThat(reopened.preKeyCount()).isEqualTo(DeviceKeys.BATCH);
    assertThat(reopened.oneTimeKyberPreKeyCount()).isEqualTo(DeviceKeys.BATCH);
    assertThat(reopened.loadPreKey(upload.preKeys().get(7).getId()).serialize())
        .isEqualTo(upload.preKeys().get(7).serialize());
    assertThat(reopened.loadSignedPreKey(upload.signedPreKey().getId()).serialize())
        .isEqualTo(upload.signedPreKey().serialize());
    assertThat(reopened.loadKyberPreKey(upload.lastResort().getId()).serialize())
        .isEqualTo(upload.lastResort().serialize());
    assertThat(reopened.currentSignedPreKeyId()).isEqualTo(upload.signedPreKey().getId());
    assertThat(reopened.currentLastResortKyberPreKeyId()).isEqualTo(upload.lastResort().getId());
    assertThat(reopened.reservePreKeyIds(1)).as("the id counters continue").isEqualTo(DeviceKeys.BATCH + 1);
  }

  @Test
  void aTemporaryFileLeftByACrashIsIgnoredAndTheOldFileStays() throws Exception {
    FileSignalStore alice = newStore("alice", 1);
    FileSignalStore bob = newStore("bob", 1);
    new DeviceCrypto(alice).startSession("bob", TestDevices.freshBundle(bob, 1));
    Path sessions = alice.dir().resolve(FileSignalStore.SESSIONS);
    Files.write(sessions.resolve(AtomicFiles.TEMP_PREFIX + "123.part"), new byte[] {1, 2});
    Files.write(alice.dir().resolve(AtomicFiles.TEMP_PREFIX + "local.part"), new byte[] {'{'});

    FileSignalStore reopened = FileSignalStore.open(alice.dir());

    assertThat(reopened.sessionDevices("bob")).containsExactly(1);
    assertThat(reopened.getLocalRegistrationId()).isEqualTo(4711);
  }

  @Test
  void creatingOverAnExistingStoreIsRefused() {
    FileSignalStore alice = newStore("alice", 1);

    assertThatThrownBy(() -> FileSignalStore.create(alice.dir(), "alice", 1, IdentityKeyPair.generate(), 1))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theFirstIdentityIsTrustedAndAChangedOneOnlyAfterItIsAccepted() {
    FileSignalStore alice = newStore("alice", 1);
    SignalProtocolAddress bob1 = new SignalProtocolAddress("bob", 1);
    IdentityKey first = IdentityKeyPair.generate().getPublicKey();
    IdentityKey second = IdentityKeyPair.generate().getPublicKey();

    assertThat(alice.isTrustedIdentity(bob1, first, IdentityKeyStore.Direction.SENDING)).isTrue();
    assertThat(alice.saveIdentity(bob1, first)).isEqualTo(IdentityKeyStore.IdentityChange.NEW_OR_UNCHANGED);
    assertThat(alice.isTrustedIdentity(bob1, second, IdentityKeyStore.Direction.SENDING)).isFalse();
    assertThat(alice.isTrustedIdentity(bob1, second, IdentityKeyStore.Direction.RECEIVING)).isTrue();
    assertThat(alice.saveIdentity(bob1, second)).isEqualTo(IdentityKeyStore.IdentityChange.REPLACED_EXISTING);
    assertThat(alice.isAccepted("bob", second)).as("seeing a key does not accept it").isFalse();
    assertThat(alice.currentIdentity("bob")).isEqualTo(first);

    alice.acceptIdentity("bob", second);

    assertThat(alice.isTrustedIdentity(bob1, second, IdentityKeyStore.Direction.SENDING)).isTrue();
    assertThat(FileSignalStore.open(alice.dir()).currentIdentity("bob")).isEqualTo(second);
  }

  @Test
  void aOneTimeKyberPreKeyIsDeletedWhenUsedAndALastResortKeyRefusesAReusedBaseKey() throws Exception {
    FileSignalStore alice = newStore("alice", 1);
    DeviceKeys.FirstUpload upload = DeviceKeys.generateFirstUpload(alice);
    int oneTime = upload.kyberPreKeys().get(0).getId();
    int lastResort = upload.lastResort().getId();
    int signed = upload.signedPreKey().getId();
    ECKeyPair baseKey = ECKeyPair.generate();

    alice.markKyberPreKeyUsed(oneTime, signed, baseKey.getPublicKey());
    alice.markKyberPreKeyUsed(lastResort, signed, baseKey.getPublicKey());

    assertThatThrownBy(() -> alice.loadKyberPreKey(oneTime)).isInstanceOf(InvalidKeyIdException.class);
    assertThat(alice.containsKyberPreKey(lastResort)).isTrue();
    assertThatThrownBy(() -> alice.markKyberPreKeyUsed(lastResort, signed, baseKey.getPublicKey()))
        .isInstanceOf(ReusedBaseKeyException.class);
    FileSignalStore reopened = FileSignalStore.open(alice.dir());
    assertThatThrownBy(() -> reopened.markKyberPreKeyUsed(lastResort, signed, baseKey.getPublicKey()))
        .as("the seen base keys are persisted").isInstanceOf(ReusedBaseKeyException.class);
    assertThat(reopened.oneTimeKyberPreKeyCount()).isEqualTo(DeviceKeys.BATCH - 1);
  }

  @Test
  void aReRegistrationDropsSessionsAndOneTimeKeysAndAcceptsTheNewOwnIdentity() throws Exception {
    FileSignalStore alice = newStore("alice", 1);
    FileSignalStore bob = newStore("bob", 1);
    DeviceKeys.generateFirstUpload(alice);
    new DeviceCrypto(alice).startSession("bob", TestDevices.freshBundle(bob, 1));
    alice.markUploaded();
    IdentityKeyPair fresh = IdentityKeyPair.generate();

    alice.replaceLocalIdentity(fresh, 99);

    FileSignalStore reopened = FileSignalStore.open(alice.dir());
    assertThat(reopened.sessionDevices("bob")).isEmpty();
    assertThat(reopened.preKeyCount()).isZero();
    assertThat(reopened.getLocalRegistrationId()).isEqualTo(99);
    assertThat(reopened.uploadedRegistrationId()).isZero();
    assertThat(reopened.oneTimeKyberPreKeyCount()).isZero();
    assertThat(reopened.containsKyberPreKey(reopened.currentLastResortKyberPreKeyId())).isTrue();
    assertThat(reopened.currentIdentity("alice")).isEqualTo(fresh.getPublicKey());
  }

  @Test
  void aReRegistrationWithTheSameIdentityKeepsTheOneTimeKeysTheDirectoryStillHandsOut() {
    FileSignalStore alice = newStore("alice", 1);
    DeviceKeys.FirstUpload upload = DeviceKeys.generateFirstUpload(alice);

    alice.replaceLocalIdentity(alice.getIdentityKeyPair(), 99);

    assertThat(alice.getLocalRegistrationId()).isEqualTo(99);
    assertThat(alice.containsPreKey(upload.preKeys().get(0).getId())).isTrue();
    assertThat(alice.oneTimeKyberPreKeyCount()).isEqualTo(DeviceKeys.BATCH);
  }

  @Test
  void sessionFilesAreNamedByAccountAndDeviceAndOddNamesAreRefused() {
    FileSignalStore alice = newStore("alice", 1);
    alice.storeSession(new SignalProtocolAddress("bob.smith", 12), new SessionRecord());

    assertThat(alice.dir().resolve(FileSignalStore.SESSIONS).resolve("bob.smith.12")).exists();
    assertThat(alice.sessionDevices("bob.smith")).containsExactly(12);
    assertThat(alice.sessionDevices("bob")).isEmpty();
    assertThat(List.of("../etc", "A", "x/y")).allSatisfy(name -> assertThatThrownBy(
        () -> alice.storeSession(new SignalProtocolAddress(name, 1), new SessionRecord()))
        .isInstanceOf(IllegalArgumentException.class));
  }
}
