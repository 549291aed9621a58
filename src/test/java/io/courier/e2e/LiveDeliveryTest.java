package io.courier.e2e;

import static io.courier.e2e.OneToOneChatTest.sendFrame;
import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.mailbox.EntryIds;
import io.courier.testing.ServerExtension;
import io.courier.testing.SystemCalls;
import io.courier.testing.WireClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Live delivery: a connected device is handed each new entry with its wake-up and pushes it without reading its
 * mailbox, yet still in mailbox order, once, whatever the interleaving of wake-ups, reads and acks.
 */
class LiveDeliveryTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension("limits.sendsPerSecond=100000",
      "limits.sendBurst=100000");

  private static final int SENDERS = 6;
  private static final int PER_SENDER = 100;

  @Test
  void concurrentSendersReachAConnectedDeviceInMailboxOrderAndOnce() {
    Session bob = SERVER.accounts().register("bob");
    List<Session> senders = new ArrayList<>();
    for (int s = 0; s < SENDERS; s++) {
      senders.add(SERVER.accounts().register("sender" + s));
    }
    List<WireClient> sockets = new ArrayList<>();
    try (WireClient b = SERVER.connect(bob)) {
      b.expect("drained");
      for (Session sender : senders) {
        WireClient socket = SERVER.connect(sender);
        sockets.add(socket);
        socket.expect("drained");
      }
      // every sender's sends go out at once, so the appends of different senders interleave in bob's mailbox
      for (int k = 0; k < PER_SENDER; k++) {
        for (int s = 0; s < SENDERS; s++) {
          sockets.get(s).send(sendFrame("m-" + k, bob.account(), bob.device(), "s" + s + " #" + k));
        }
      }

      List<String> entries = expectOnceInTheOrderSent(b, SENDERS * PER_SENDER, 7);
      for (int i = 1; i < entries.size(); i++) {
        assertThat(EntryIds.compare(entries.get(i - 1), entries.get(i))).as("mailbox order at %d", i)
            .isNegative();
      }
    } finally {
      sockets.forEach(WireClient::close);
    }
  }

  /**
   * Reads {@code count} {@code message} frames with ids {@code m-<k>} and asserts each arrives once and every
   * sender's in the order it sent them; acks every {@code ackEvery} entries, so that acks (and the room they free)
   * interleave with pushes and reads. Returns the entries in the order delivered.
   */
  static List<String> expectOnceInTheOrderSent(WireClient recipient, int count, int ackEvery) {
    List<String> entries = new ArrayList<>();
    Map<String, Integer> nextBySender = new HashMap<>();
    Set<String> seen = new HashSet<>();
    for (int n = 0; n < count; n++) {
      JsonObject message = recipient.expect("message");
      String from = message.getString("from");
      int k = Integer.parseInt(message.getString("id").substring(2));
      assertThat(seen.add(from + "/" + k)).as("delivered once: %s %d", from, k).isTrue();
      assertThat(k).as("%s's messages in the order sent", from).isEqualTo(nextBySender.getOrDefault(from, 0));
      nextBySender.put(from, k + 1);
      entries.add(message.getString("entry"));
      if (entries.size() % ackEvery == 0) {
        recipient.send(new JsonObject().put("type", "ack").put("entries", new JsonArray(entries.subList(
            entries.size() - ackEvery, entries.size()))));
      }
    }
    return entries;
  }

  @Test
  void aCaughtUpDeviceGetsMessagesAndReceiptsWithoutMailboxReads() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient a = SERVER.connect(alice);
         WireClient b = SERVER.connect(bob)) {
      a.expect("drained");
      b.expect("drained");
      long readsBefore = SERVER.redis().calls("xrange");
      for (int k = 0; k < 50; k++) {
        a.send(sendFrame("m-" + k, bob.account(), bob.device(), "#" + k));
        assertThat(a.expect("sent").getString("id")).isEqualTo("m-" + k);
        JsonObject message = b.expect("message");
        assertThat(message.getString("id")).isEqualTo("m-" + k);
        b.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(message.getString("entry"))));
        JsonObject receipt = a.expect("receipt");
        assertThat(receipt.getJsonArray("ids")).containsExactly("m-" + k);
        a.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(receipt.getString("entry"))));
      }
      // Without the entry in the wake-up, each of the 100 entries (50 messages, 50 receipts) costs one read.
      assertThat(SERVER.redis().calls("xrange") - readsBefore).as("mailbox reads for 50 messages and 50 receipts").isLessThan(5);
    }
  }

  @Test
  void aBacklogLeavesInBatchesOfFramesNotOneWriteCallPerEntry() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    int backlog = 500;
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int k = 0; k < backlog; k++) {
        a.send(sendFrame("m-" + k, bob.account(), bob.device(), "#" + k));
      }
      for (int k = 0; k < backlog; k++) {
        a.expect("sent");
      }
    }
    // This JVM runs the server and the test client; the client only reads while the backlog arrives.
    long writesBefore = SystemCalls.writes(ProcessHandle.current().pid());
    try (WireClient b = SERVER.connect(bob)) {
      for (int k = 0; k < backlog; k++) {
        assertThat(b.expect("message").getString("id")).isEqualTo("m-" + k);
      }
      b.expect("drained");
      long writes = SystemCalls.writes(ProcessHandle.current().pid()) - writesBefore;
      // One write call per frame would be 500 or more; batched, about one per mailbox read (5) plus the handshake.
      assertThat(writes).as("write system calls for a backlog of %d entries", backlog).isLessThan(backlog / 5);
    }
  }

  @Test
  void aClientSendingFasterThanItsSendsAreStoredIsSlowedDownNotRefused() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    int burst = 1_500; // far more than the sends one connection may have queued (256)
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int k = 0; k < burst; k++) {
        a.send(sendFrame("m-" + k, bob.account(), bob.device(), "#" + k));
      }
      for (int k = 0; k < burst; k++) {
        JsonObject answer = a.next();
        assertThat(answer.getString("type")).as("answer %d: %s", k, answer).isEqualTo("sent");
        assertThat(answer.getString("id")).isEqualTo("m-" + k);
      }
    }
    assertThat(SERVER.mailboxLength(bob)).isEqualTo(burst);
    try (WireClient b = SERVER.connect(bob)) {
      JsonArray acks = new JsonArray();
      for (int k = 0; k < burst; k++) {
        JsonObject message = b.expect("message");
        assertThat(message.getString("id")).as("mailbox position %d", k).isEqualTo("m-" + k);
        acks.add(message.getString("entry"));
        if (acks.size() == 100) { // more than 1,000 unacked entries would pause the delivery
          b.send(new JsonObject().put("type", "ack").put("entries", acks));
          acks = new JsonArray();
        }
      }
    }
  }

  @Test
  void pipelinedSendsWithDifferentStepsAreStoredInTheOrderSent() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    int sends = 300;
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int k = 0; k < sends; k++) {
        JsonObject send = sendFrame("m-" + k, bob.account(), bob.device(), "#" + k);
        if (k % 3 == 0) {
          // Alice has no other device: an empty sync adds a device check before the append and a (vacuous) sync
          // append after it, so this send takes more steps than its neighbours, whose appends must still wait.
          send.put("sync", new JsonArray());
        }
        a.send(send);
      }
      Set<String> answered = new HashSet<>();
      for (int k = 0; k < sends; k++) {
        JsonObject answer = a.next();
        assertThat(answer.getString("type")).as("answer %s", answer).isEqualTo("sent");
        answered.add(answer.getString("id"));
      }
      assertThat(answered).hasSize(sends);
    }
    try (WireClient b = SERVER.connect(bob)) {
      for (int k = 0; k < sends; k++) {
        assertThat(b.expect("message").getString("id")).as("mailbox position %d", k).isEqualTo("m-" + k);
      }
      b.expect("drained");
    }
  }

  @Test
  void entryIdsCompareAsNumbersNotText() {
    assertThat(EntryIds.compare("9-0", "10-0")).isNegative();
    assertThat(EntryIds.compare("10-2", "10-10")).isNegative();
    assertThat(EntryIds.compare("10-10", "10-10")).isZero();
    assertThat(EntryIds.compare("11-0", "10-99")).isPositive();
    assertThat(EntryIds.time("1732771200000-7")).isEqualTo(1732771200000L);
  }
}
