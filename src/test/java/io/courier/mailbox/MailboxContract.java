package io.courier.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.auth.AccountRedisKeys;
import io.courier.config.CourierConfig.MailboxConfig;
import io.courier.protocol.ClientFrame;
import io.courier.prekeys.PreKeysRedisKeys;
import io.courier.protocol.DeviceId;
import io.courier.protocol.DeviceSetMismatch;
import io.courier.protocol.ErrorCode;
import io.courier.protocol.ProtocolException;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import io.courier.redis.RedisClients;
import io.courier.routing.Signal;
import io.courier.testing.Poll;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The mailbox contract, run against real Redis by each subclass (standalone and a 3-master Redis Cluster, so a
 * key outside its hash tag's slot fails there): idempotent all-or-nothing append, device-set checks, order, ack,
 * receipts, limits, retention.
 */
abstract class MailboxContract {
  static final MailboxConfig CONFIG = new MailboxConfig(Duration.ofDays(30), 100, Duration.ofHours(48), 100);

  static Vertx vertx;
  static Redis redis;
  static RedisMailbox mailbox;

  static void connect(String urls, boolean cluster) {
    vertx = Vertx.vertx();
    redis = RedisClients.create(vertx, urls, 4, cluster);
    mailbox = new RedisMailbox(redis, CONFIG);
  }

  static void disconnect() {
    vertx.close();
  }

  /** A raw command through the same client (it follows the cluster's redirections); numbers come back as Long. */
  static Object command(String... args) {
    Request request = Request.cmd(Command.create(args[0]));
    for (int i = 1; i < args.length; i++) {
      request.arg(args[i]);
    }
    Response reply = WireClient.await(redis.send(request));
    if (reply == null) {
      return null;
    }
    return reply.type() == ResponseType.NUMBER ? (Object) reply.toLong() : reply.toString();
  }

  /** An account with the given devices, made directly in Redis as the auth package would. */
  static String account(String base, int... devices) {
    String account = TestIds.unique(base);
    for (int device : devices) {
      command("HSET", AccountRedisKeys.devices(account), Integer.toString(device), "{}");
    }
    return account;
  }

  static ClientFrame.Send send(String id, String to, int... devices) {
    return new ClientFrame.Send(id, to, IntStream.of(devices)
        .mapToObj(d -> new ClientFrame.OutgoingEnvelope(d, "Y2lwaGVy")).toList());
  }

  static long length(DeviceId device) {
    return (Long) command("XLEN", MailboxRedisKeys.mailbox(device));
  }

  static ErrorCode refusal(Runnable call) {
    try {
      call.run();
    } catch (ProtocolException e) {
      return e.code();
    }
    throw new AssertionError("not refused");
  }

  @Test
  void appendAnswersWithTheRoutesOfTheDevicesItWrote() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    String bob = account("bob", 1, 2);
    command("HSET", "routes:{u:" + bob + "}", "2", "node-x 3");
    Written written = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m1", bob, 1, 2))));
    assertThat(written.devices()).containsExactly(1, 2);
    assertThat(written.routes()).containsExactly("", "node-x 3");
    Written again = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m1", bob, 1, 2))));
    assertThat(again.at()).isEqualTo(written.at());
    assertThat(again.routes()).as("a repeat wakes the same devices").containsExactly("", "node-x 3");
  }

  @Test
  void appendIsIdempotentForSameSenderAndMessageId() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    String bob = account("bob", 1, 2);
    long first = append(mailbox, alice, send("m1", bob, 1, 2));
    long again = append(mailbox, alice, send("m1", bob, 1, 2));
    assertThat(again).isEqualTo(first);
    assertThat(length(new DeviceId(bob, 1))).isEqualTo(1);
    assertThat(length(new DeviceId(bob, 2))).isEqualTo(1);
  }

  @Test
  void appendStoresEveryEnvelopeOrNone() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    String bob = account("bob", 1);
    assertThat(refusal(() -> append(mailbox, alice, send("m1", bob, 1, 3))))
        .isEqualTo(ErrorCode.MISMATCHED_DEVICES);
    assertThat(length(new DeviceId(bob, 1))).isZero();
    assertThat(refusal(() -> append(mailbox, alice, send("m1", "nobody" + System.nanoTime(), 1))))
        .isEqualTo(ErrorCode.UNKNOWN_ACCOUNT);
    String noDevicesYet = TestIds.unique("carol");
    command("HSET", AccountRedisKeys.account(noDevicesYet), "password", "x");
    assertThat(refusal(() -> append(mailbox, alice, send("m1", noDevicesYet, 1))))
        .as("registered, never logged in").isEqualTo(ErrorCode.MISMATCHED_DEVICES);
  }

  static long append(RedisMailbox mailbox, DeviceId sender, ClientFrame.Send send) {
    return WireClient.await(mailbox.append(Append.toRecipient(sender, send))).at();
  }

  /** Marks devices as having keys with these registration ids, as the key directory does. */
  static void registered(String account, int device, int registrationId) {
    command("HSET", PreKeysRedisKeys.registrationIds(account), Integer.toString(device),
        Integer.toString(registrationId));
  }

  static ProtocolException refusalOf(Runnable call) {
    try {
      call.run();
    } catch (ProtocolException e) {
      return e;
    }
    throw new AssertionError("not refused");
  }

  static ClientFrame.Send sendWithIds(String id, String to, int[][] deviceAndRegistrationId) {
    List<ClientFrame.OutgoingEnvelope> envelopes = new java.util.ArrayList<>();
    for (int[] pair : deviceAndRegistrationId) {
      envelopes.add(new ClientFrame.OutgoingEnvelope(pair[0], pair[1], "Y2lwaGVy"));
    }
    return new ClientFrame.Send(id, to, envelopes);
  }

  @Test
  void appendNamesMissingExtraAndStaleDevicesAndStoresNothing() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    String bob = account("bob", 1, 2, 3);
    registered(bob, 1, 101);
    registered(bob, 2, 202);
    ProtocolException mismatch = refusalOf(() -> WireClient.await(mailbox.append(Append.toRecipient(alice,
        sendWithIds("m1", bob, new int[][] {{1, 101}, {9, 0}})))));
    assertThat(mismatch.code()).isEqualTo(ErrorCode.MISMATCHED_DEVICES);
    assertThat(mismatch.devices()).isEqualTo(new DeviceSetMismatch(bob, List.of(2), List.of(9), List.of()));

    ProtocolException stale = refusalOf(() -> WireClient.await(mailbox.append(Append.toRecipient(alice,
        sendWithIds("m1", bob, new int[][] {{1, 101}, {2, 999}})))));
    assertThat(stale.code()).isEqualTo(ErrorCode.STALE_DEVICES);
    assertThat(stale.devices().stale()).containsExactly(2);
    assertThat(length(new DeviceId(bob, 1)) + length(new DeviceId(bob, 2))).isZero();

    // Device 3 has no keys: it may be named or left out.
    append(mailbox, alice, sendWithIds("m1", bob, new int[][] {{1, 101}, {2, 202}}));
    assertThat(length(new DeviceId(bob, 3))).isZero();
    assertThat(length(new DeviceId(bob, 1))).isEqualTo(1);
  }

  @Test
  void syncCopiesLeaveTheSendingDeviceOutAndCarryTheConversation() {
    String alice = account("alice", 1, 2);
    registered(alice, 1, 11);
    registered(alice, 2, 22);
    DeviceId phone = new DeviceId(alice, 1);
    ClientFrame.Send send = new ClientFrame.Send("m1", "bob", List.of(),
        List.of(new ClientFrame.OutgoingEnvelope(2, 22, "Y2lwaGVy")));
    WireClient.await(mailbox.checkDevices(Append.syncCopies(phone, send)));
    WireClient.await(mailbox.append(Append.syncCopies(phone, send)));
    assertThat(WireClient.await(mailbox.read(new DeviceId(alice, 2), null, 10))).singleElement()
        .isInstanceOfSatisfying(ServerFrame.Message.class, m -> assertThat(m.to()).isEqualTo("bob"));
    assertThat(length(phone)).isZero();

    ClientFrame.Send naming = new ClientFrame.Send("m2", "bob", List.of(),
        List.of(new ClientFrame.OutgoingEnvelope(1, 11, "Y2lwaGVy"), new ClientFrame.OutgoingEnvelope(2, 22, "eA==")));
    assertThat(refusalOf(() -> WireClient.await(mailbox.checkDevices(Append.syncCopies(phone, naming)))).devices())
        .as("the sending device is not its own sync target")
        .isEqualTo(new DeviceSetMismatch(alice, List.of(), List.of(1), List.of()));
  }

  @Test
  void appendRefusesAFullMailboxAndStoresNothing() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    String bob = account("bob", 1, 2);
    for (int i = 0; i < CONFIG.maxLength(); i++) {
      append(mailbox, alice, send("m" + i, bob, 1));
    }
    assertThat(refusal(() -> append(mailbox, alice, send("over", bob, 2, 1))))
        .isEqualTo(ErrorCode.MAILBOX_FULL);
    assertThat(length(new DeviceId(bob, 2))).as("device 2 had room, but all or none").isZero();
    assertThat(ErrorCode.MAILBOX_FULL.temporary()).isTrue();
  }

  @Test
  void readReturnsEntriesInAppendOrderAfterTheCursor() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    for (int i = 0; i < 5; i++) {
      append(mailbox, alice, send("m" + i, bob.account(), 1));
    }
    List<ServerFrame.Entry> firstTwo = WireClient.await(mailbox.read(bob, null, 2));
    List<ServerFrame.Entry> rest = WireClient.await(mailbox.read(bob, firstTwo.get(1).entry(), 10));
    assertThat(firstTwo).extracting(e -> ((ServerFrame.Message) e).id()).containsExactly("m0", "m1");
    assertThat(rest).extracting(e -> ((ServerFrame.Message) e).id()).containsExactly("m2", "m3", "m4");
    ServerFrame.Message m = (ServerFrame.Message) rest.get(0);
    assertThat(m.from()).isEqualTo(alice.account());
    assertThat(m.fromDevice()).isEqualTo(1);
    assertThat(m.ciphertext()).isEqualTo("Y2lwaGVy");
  }

  @Test
  void ackRemovesOnlyTheNamedEntries() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    append(mailbox, alice, send("m0", bob.account(), 1));
    append(mailbox, alice, send("m1", bob.account(), 1));
    List<ServerFrame.Entry> entries = WireClient.await(mailbox.read(bob, null, 10));
    WireClient.await(mailbox.ack(bob, List.of(entries.get(0).entry())));
    assertThat(WireClient.await(mailbox.read(bob, null, 10))).containsExactly(entries.get(1));
  }

  @Test
  void appendsHandBackTheEntriesWrittenAndTheNewestEntryBeforeEach() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    Written first = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m0", bob.account(), 1))));
    Written second = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m1", bob.account(), 1))));
    Written receipt = WireClient.await(mailbox.appendReceipt(bob.account(), ReceiptKind.READ, alice,
        List.of("x")));
    List<ServerFrame.Entry> stored = WireClient.await(mailbox.read(bob, null, 10));
    assertThat(List.of(first.wakes().get(0).entry(), second.wakes().get(0).entry(), receipt.wakes().get(0).entry()))
        .as("what a wake-up hands over is what a read returns").isEqualTo(stored);
    assertThat(first.wakes().get(0).previous()).as("the mailbox was empty").isEmpty();
    assertThat(second.wakes().get(0).previous()).isEqualTo(stored.get(0).entry());
    assertThat(receipt.wakes().get(0).previous()).isEqualTo(stored.get(1).entry());

    WireClient.await(mailbox.ack(bob, List.of(stored.get(2).entry())));
    Written third = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m2", bob.account(), 1))));
    assertThat(third.wakes().get(0).previous()).as("an acked entry is gone: the newest one left")
        .isEqualTo(stored.get(1).entry());
    Written repeat = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m2", bob.account(), 1))));
    assertThat(repeat.wakes()).as("a repeat wrote nothing: a plain wake-up").containsExactly(Signal.WAKE);

    WireClient.await(mailbox.ack(bob, WireClient.await(mailbox.read(bob, null, 10)).stream()
        .map(ServerFrame.Entry::entry).toList()));
    Written emptied = WireClient.await(mailbox.append(Append.toRecipient(alice, send("m3", bob.account(), 1))));
    assertThat(emptied.wakes().get(0).previous()).as("every entry acked: the mailbox is empty again").isEmpty();
  }

  @Test
  void mailboxesExpireAfterTheRetentionAndMessageIdsAfterTheDedupWindow() {
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    append(mailbox, alice, send("m1", bob.account(), 1));
    WireClient.await(mailbox.appendReceipt(alice.account(), ReceiptKind.DELIVERED, bob, List.of("m1")));
    long retention = CONFIG.retention().toMillis();
    assertThat((Long) command("PTTL", MailboxRedisKeys.mailbox(bob))).as("the recipient's mailbox")
        .isBetween(retention - 60_000, retention);
    assertThat((Long) command("PTTL", MailboxRedisKeys.mailbox(alice))).as("the sender's, written by the receipt")
        .isBetween(retention - 60_000, retention);
    long window = CONFIG.dedupWindow().toSeconds();
    assertThat((Long) command("TTL", MailboxRedisKeys.dedup(bob.account(), alice.account(), "m1")))
        .as("the message id").isBetween(window - 60, window);
  }

  @Test
  void receiptReachesEveryDeviceOfTheSender() {
    String alice = account("alice", 1, 2, 3);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    Written told = WireClient.await(mailbox.appendReceipt(alice, ReceiptKind.DELIVERED, bob, List.of("a", "b")));
    assertThat(told.devices()).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(told.routes()).as("none of them is connected").containsOnly("");
    for (int device = 1; device <= 3; device++) {
      List<ServerFrame.Entry> entries = WireClient.await(mailbox.read(new DeviceId(alice, device), null, 10));
      assertThat(entries).singleElement().isInstanceOfSatisfying(ServerFrame.Receipt.class, r -> {
        assertThat(r.kind()).isEqualTo(ReceiptKind.DELIVERED);
        assertThat(r.by()).isEqualTo(bob.account());
        assertThat(r.ids()).containsExactly("a", "b");
      });
    }
    assertThat(WireClient.await(mailbox.appendReceipt("gone" + System.nanoTime(), ReceiptKind.READ, bob,
        List.of("a"))).devices()).isEmpty();
  }

  @Test
  void aFullMailboxDropsItsExpiredEntriesForTheNextAppend() {
    RedisMailbox small = new RedisMailbox(redis, new MailboxConfig(Duration.ofMillis(300), 2,
        Duration.ofHours(48), 100));
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    append(small, alice, send("old-1", bob.account(), 1));
    append(small, alice, send("old-2", bob.account(), 1));
    assertThat(refusal(() -> append(small, alice, send("too-soon", bob.account(), 1))))
        .as("full, and nothing has expired yet").isEqualTo(ErrorCode.MAILBOX_FULL);
    long storedAt = System.currentTimeMillis();
    Poll.until(Duration.ofSeconds(5), () -> System.currentTimeMillis() > storedAt + 400, () -> "time passes");
    append(small, alice, send("new", bob.account(), 1));
    assertThat(length(bob)).as("the two expired entries made room").isEqualTo(1);
  }

  @Test
  void entriesOlderThanTheRetentionAreDropped() {
    RedisMailbox shortLived = new RedisMailbox(redis, new MailboxConfig(Duration.ofMillis(300), 100,
        Duration.ofHours(48), 100));
    DeviceId alice = new DeviceId(account("alice", 1), 1);
    DeviceId bob = new DeviceId(account("bob", 1), 1);
    append(shortLived, alice, send("old", bob.account(), 1));
    long storedAt = System.currentTimeMillis();
    Poll.until(Duration.ofSeconds(5), () -> System.currentTimeMillis() > storedAt + 400, () -> "time passes");
    append(shortLived, alice, send("new", bob.account(), 1));
    assertThat(WireClient.await(shortLived.read(bob, null, 10)))
        .extracting(e -> ((ServerFrame.Message) e).id()).containsExactly("new");
  }
}
