package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.WireClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Offline sync: a backlog waits in the mailbox and comes down in order on connect, then {@code drained}. */
class OfflineSyncTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();
  static final int BACKLOG = 1_000;



  @Test
  void offlineRecipientGetsWholeBacklogOnceInOrderThenDrained() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int i = 0; i < BACKLOG; i++) {
        a.send(OneToOneChatTest.sendFrame("m" + i, bob.account(), bob.device(), "message " + i));
      }
      for (int i = 0; i < BACKLOG; i++) {
        assertThat(a.expect("sent").getString("id")).isEqualTo("m" + i);
      }
    }

    List<String> ids = new ArrayList<>();
    Set<String> entries = new HashSet<>();
    try (WireClient b = SERVER.connect(bob)) {
      JsonArray acks = new JsonArray();
      for (JsonObject frame = b.next(); !"drained".equals(frame.getString("type")); frame = b.next()) {
        assertThat(frame.getString("type")).isEqualTo("message");
        ids.add(frame.getString("id"));
        entries.add(frame.getString("entry"));
        acks.add(frame.getString("entry"));
        if (acks.size() == 100) {
          b.send(new JsonObject().put("type", "ack").put("entries", acks));
          acks = new JsonArray();
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < BACKLOG; i++) {
        expected.add("m" + i);
      }
      assertThat(ids).containsExactlyElementsOf(expected);
      assertThat(entries).hasSize(BACKLOG);
      b.assertAlive("after-drain");
      assertThat(b.pending()).as("nothing after drained").isZero();
    }
  }

  @Test
  void unackedEntriesComeAgainOnTheNextConnection() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      for (int i = 0; i < 3; i++) {
        a.send(OneToOneChatTest.sendFrame("m" + i, bob.account(), bob.device(), "x"));
        a.expect("sent");
      }
    }
    String first;
    try (WireClient b = SERVER.connect(bob)) {
      first = b.expect("message").getString("entry");
      b.expect("message");
      b.expect("message");
      b.expect("drained");
      b.send(new JsonObject().put("type", "ack").put("id", "a").put("entries", new JsonArray().add(first)));
      b.expect("ok");
    }
    try (WireClient b = SERVER.connect(bob)) {
      assertThat(b.expect("message").getString("id")).isEqualTo("m1");
      assertThat(b.expect("message").getString("id")).isEqualTo("m2");
      b.expect("drained");
    }
  }

  @Test
  void deliveryPausesAtTheUnackedLimitAndResumesOnAck() {
    CourierServer small = TestServer.start(SERVER.redis().url(), "limits.maxUnackedEntries=5");
    try {
      TestAccounts smallAccounts = new TestAccounts(SERVER.vertx(), small.baseUri());
      Session alice = smallAccounts.register("alice");
      Session bob = smallAccounts.register("bob");
      try (WireClient a = WireClient.connect(SERVER.vertx(), small.port(), alice.accessToken())) {
        a.expect("drained");
        for (int i = 0; i < 8; i++) {
          a.send(OneToOneChatTest.sendFrame("m" + i, bob.account(), bob.device(), "x"));
          a.expect("sent");
        }
      }
      try (WireClient b = WireClient.connect(SERVER.vertx(), small.port(), bob.accessToken())) {
        JsonArray firstFive = new JsonArray();
        for (int i = 0; i < 5; i++) {
          firstFive.add(b.expect("message").getString("entry"));
        }
        b.assertAlive("paused");
        assertThat(b.pending()).as("no sixth entry before an ack").isZero();
        b.send(new JsonObject().put("type", "ack").put("entries", firstFive));
        for (int i = 5; i < 8; i++) {
          assertThat(b.expect("message").getString("id")).isEqualTo("m" + i);
        }
        b.expect("drained");
      }
    } finally {
      small.close();
    }
  }
}
