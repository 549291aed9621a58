package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.ServerExtension;
import io.courier.testing.WireClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core path on the wire: send, single tick, delivery, ack, double tick, read, blue tick. */
class OneToOneChatTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();



  static JsonObject sendFrame(String id, String to, int device, String text) {
    return new JsonObject().put("type", "send").put("id", id).put("to", to)
        .put("envelopes", new JsonArray().add(new JsonObject().put("device", device)
            .put("ciphertext", Base64.getEncoder().encodeToString(text.getBytes()))));
  }

  @Test
  void onlineRecipientGetsMessageAndSenderSeesSentDeliveredRead() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient a = SERVER.connect(alice);
         WireClient b = SERVER.connect(bob)) {
      a.expect("drained");
      b.expect("drained");
      String id = UUID.randomUUID().toString();

      a.send(sendFrame(id, bob.account(), bob.device(), "hello bob"));
      JsonObject sent = a.expect("sent");
      assertThat(sent.getString("id")).isEqualTo(id);
      assertThat(sent.getLong("at")).isPositive();

      JsonObject message = b.expect("message");
      assertThat(message.getString("id")).isEqualTo(id);
      assertThat(message.getString("from")).isEqualTo(alice.account());
      assertThat(message.getInteger("fromDevice")).isEqualTo(alice.device());
      assertThat(new String(Base64.getDecoder().decode(message.getString("ciphertext")))).isEqualTo("hello bob");
      b.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(message.getString("entry"))));

      JsonObject delivered = a.expect("receipt");
      assertThat(delivered.getString("kind")).isEqualTo("delivered");
      assertThat(delivered.getString("by")).isEqualTo(bob.account());
      assertThat(delivered.getJsonArray("ids")).containsExactly(id);
      a.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(delivered.getString("entry"))));

      b.send(new JsonObject().put("type", "read").put("id", "r1").put("sender", alice.account())
          .put("messages", new JsonArray().add(id)));
      assertThat(b.expect("ok").getString("id")).isEqualTo("r1");

      JsonObject read = a.expect("receipt");
      assertThat(read.getString("kind")).isEqualTo("read");
      assertThat(read.getJsonArray("ids")).containsExactly(id);
    }
  }

  static JsonObject readFrame(String id, String sender, String... messages) {
    return new JsonObject().put("type", "read").put("id", id).put("sender", sender)
        .put("messages", new JsonArray(List.of((Object[]) messages)));
  }

  @Test
  void readReceiptsNameOnlyMessagesTheReaderWasSentAndHasNotRead() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    Session carol = SERVER.accounts().register("carol");
    try (WireClient a = SERVER.connect(alice);
         WireClient b = SERVER.connect(bob);
         WireClient c = SERVER.connect(carol)) {
      a.expect("drained");
      b.expect("drained");
      c.expect("drained");
      String toBob = UUID.randomUUID().toString();
      a.send(sendFrame(toBob, bob.account(), bob.device(), "for bob"));
      a.expect("sent");
      b.expect("message");

      // Carol was sent nothing: her claims are answered like any read, and reach nobody.
      c.send(readFrame("c1", alice.account(), "made-up-id", toBob));
      assertThat(c.expect("ok").getString("id")).isEqualTo("c1");
      b.send(readFrame("b1", alice.account(), toBob, "made-up-id"));
      assertThat(b.expect("ok").getString("id")).isEqualTo("b1");
      // Receipts reach Alice in the order they were stored: had Carol's been stored, it would come first.
      JsonObject first = a.expect("receipt");
      assertThat(first.getString("by")).isEqualTo(bob.account());
      assertThat(first.getJsonArray("ids")).containsExactly(toBob);
      a.send(new JsonObject().put("type", "ack").put("entries", new JsonArray().add(first.getString("entry"))));

      // Read once is read: a repeat stores nothing, so the next receipt is for the next message.
      b.send(readFrame("b2", alice.account(), toBob));
      assertThat(b.expect("ok").getString("id")).isEqualTo("b2");
      String next = UUID.randomUUID().toString();
      a.send(sendFrame(next, bob.account(), bob.device(), "again"));
      a.expect("sent");
      b.expect("message");
      b.send(readFrame("b3", alice.account(), next));
      b.expect("ok");
      assertThat(a.expect("receipt").getJsonArray("ids")).containsExactly(next);
    }
  }

  @Test
  void repeatedSendWithSameIdStoresOnceAndAnswersTheSame() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      a.send(sendFrame("m-1", bob.account(), bob.device(), "once"));
      long at = a.expect("sent").getLong("at");
      a.send(sendFrame("m-1", bob.account(), bob.device(), "different content, same id"));
      assertThat(a.expect("sent").getLong("at")).isEqualTo(at);
    }
    assertThat(SERVER.mailboxLength(bob)).isEqualTo(1);
  }
}
