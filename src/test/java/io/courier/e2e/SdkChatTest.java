package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.ClientListener;
import io.courier.client.ClientOptions;
import io.courier.client.CourierClient;
import io.courier.client.IncomingMessage;
import io.courier.client.Receipt;
import io.courier.client.Sent;
import io.courier.client.Session;
import io.courier.client.SessionTokenSource;
import io.courier.client.TokenSource;
import io.courier.testing.Poll;
import io.courier.testing.ServerExtension;
import io.courier.testing.TcpProxy;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference SDK against the real server: ticks, resending after a lost {@code sent}, and redelivery after
 * a lost ack, with the network failures made by a real TCP proxy on loopback.
 */
class SdkChatTest {
  static final TestTokens KEYS = TestTokens.generate();

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(KEYS.serverOverrides());
  static final Duration WAIT = Duration.ofSeconds(15);


  /** What an app saw: messages handed to it and receipts, in order. */
  static final class Recorder implements ClientListener {
    final List<IncomingMessage> messages = Collections.synchronizedList(new ArrayList<>());
    final List<Receipt> receipts = Collections.synchronizedList(new ArrayList<>());
    volatile Consumer<IncomingMessage> onEachMessage = m -> { };

    @Override
    public void onMessage(IncomingMessage message) {
      onEachMessage.accept(message);
      messages.add(message);
    }

    @Override
    public void onReceipt(Receipt receipt) {
      receipts.add(receipt);
    }

    List<String> texts() {
      synchronized (messages) {
        return messages.stream().map(m -> new String(m.ciphertext(), StandardCharsets.UTF_8)).toList();
      }
    }

    List<String> receiptKinds(String id) {
      synchronized (receipts) {
        return receipts.stream().filter(r -> r.ids().contains(id)).map(Receipt::kind).toList();
      }
    }
  }

  static CourierClient client(Session session, int port, ClientListener listener) {
    return client(session, port, listener, ClientOptions.DEFAULT_ACK_DELAY);
  }

  static CourierClient client(Session session, int port, ClientListener listener, Duration ackDelay) {
    return client(SERVER, session, port, listener, ackDelay);
  }

  /** A connected client of {@code server}'s account API, reaching its WebSocket on {@code port}. */
  static CourierClient client(ServerExtension server, Session session, int port, ClientListener listener,
      Duration ackDelay) {
    ClientOptions options = ClientOptions.create(URI.create("http://127.0.0.1:" + port),
            new SessionTokenSource(server.accounts().api(), session))
        .withListener(listener)
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .withAckDelay(ackDelay);
    CourierClient client = new CourierClient(server.vertx(), options);
    WireClient.await(client.connect());
    return client;
  }

  static Map<Integer, byte[]> to(Session device, String text) {
    return Map.of(device.device(), text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void acksOfOneAckDelayLeaveInOneFrame() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    Recorder bobApp = new Recorder();
    CourierClient b = client(bob, SERVER.port(), bobApp, ClientOptions.MAX_ACK_DELAY);
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      long deletesBefore = SERVER.redis().calls("xdel");
      for (int k = 0; k < 5; k++) {
        a.send(OneToOneChatTest.sendFrame("m-" + k, bob.account(), bob.device(), "#" + k));
        int delivered = k + 1;
        Poll.until(WAIT, () -> bobApp.messages.size() == delivered, () -> "Bob got message " + delivered);
      }
      Poll.until(WAIT, () -> SERVER.mailboxLength(bob) == 0, () -> "Bob's acks arrived");
      // Five messages, each delivered on its own, acked within one 1 s delay: one ack frame, one XDEL.
      assertThat(SERVER.redis().calls("xdel") - deletesBefore).as("mailbox deletions").isEqualTo(1);
    } finally {
      WireClient.await(b.close());
    }
  }

  @Test
  void closeWritesTheAcksStillWaiting() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    Recorder bobApp = new Recorder();
    CourierClient b = client(bob, SERVER.port(), bobApp, ClientOptions.MAX_ACK_DELAY);
    try (WireClient a = SERVER.connect(alice)) {
      a.expect("drained");
      a.send(OneToOneChatTest.sendFrame("m-1", bob.account(), bob.device(), "hi"));
      Poll.until(WAIT, () -> bobApp.messages.size() == 1, () -> "Bob got the message");
      WireClient.await(b.close());
      // Without the ack written at close the entry would stay for the next connection.
      Poll.until(WAIT, () -> SERVER.mailboxLength(bob) == 0, () -> "the ack written at close arrived");
    }
  }

  @Test
  void senderSeesSentThenDeliveredThenRead() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    Recorder aliceApp = new Recorder();
    Recorder bobApp = new Recorder();
    CourierClient a = client(alice, SERVER.port(), aliceApp);
    CourierClient b = client(bob, SERVER.port(), bobApp);
    try {
      Sent sent = WireClient.await(a.send(bob.account(), to(bob, "hello")));
      Poll.until(WAIT, () -> bobApp.messages.size() == 1, () -> "Bob got the message");
      assertThat(bobApp.texts()).containsExactly("hello");
      assertThat(bobApp.messages.get(0).id()).isEqualTo(sent.id());
      Poll.until(WAIT, () -> aliceApp.receiptKinds(sent.id()).contains(Receipt.DELIVERED), () -> "double tick");
      WireClient.await(b.markRead(alice.account(), List.of(sent.id())));
      Poll.until(WAIT, () -> aliceApp.receiptKinds(sent.id()).contains(Receipt.READ), () -> "blue tick");
      assertThat(aliceApp.receiptKinds(sent.id())).containsExactly(Receipt.DELIVERED, Receipt.READ);
      for (String kind : List.of("delivered", "read")) {
        assertThat(SERVER.metric("courier_receipts_stored_total", "kind=\"" + kind + "\""))
            .as("%s receipts stored", kind).isGreaterThanOrEqualTo(1);
      }
      Poll.until(WAIT, () -> SERVER.mailboxLength(bob) == 0 && SERVER.mailboxLength(alice) == 0,
          () -> "everything acked");
    } finally {
      WireClient.await(Future.all(a.close(), b.close()));
    }
  }

  @Test
  void expiredTokenIsRefreshedBeforeTheNextAttempt() {
    Session bob = SERVER.accounts().register("bob");
    String expired = KEYS.es256(TestTokens.claims(bob.account(), bob.device(), System.currentTimeMillis() / 1000 - 60));
    List<Boolean> asked = Collections.synchronizedList(new ArrayList<>());
    TokenSource tokens = refresh -> {
      asked.add(refresh);
      return Future.succeededFuture(refresh ? bob.accessToken() : expired);
    };
    CourierClient b = new CourierClient(SERVER.vertx(), ClientOptions.create(URI.create(SERVER.baseUri()), tokens)
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)));
    try {
      b.connect();
      Poll.until(WAIT, b::isConnected, () -> "connected after refreshing; asked " + asked);
      assertThat(asked).startsWith(false, true);
    } finally {
      WireClient.await(b.close());
    }
  }

  @Test
  void sendWhoseSentIsLostIsResentAndStoredOnce() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    try (TcpProxy proxy = TcpProxy.start(SERVER.port());
         WireClient bobWire = SERVER.connect(bob)) {
      bobWire.expect("drained");
      CourierClient a = client(alice, proxy.port(), new Recorder());
      try {
        // The server's answers stop reaching Alice: the send is stored, its `sent` is lost.
        proxy.holdDownstream();
        Future<Sent> sent = a.send("lost-sent-1", bob.account(), to(bob, "once"));
        JsonObject delivered = bobWire.expect("message");
        assertThat(sent.isComplete()).as("no sent while the answers are held").isFalse();
        proxy.cutAll();

        assertThat(WireClient.await(sent).id()).isEqualTo("lost-sent-1");
        assertThat(delivered.getString("id")).isEqualTo("lost-sent-1");
        bobWire.assertAlive("no-duplicate");
        assertThat(bobWire.pending()).as("the resend stored nothing new").isZero();
        assertThat(SERVER.mailboxLength(bob)).isEqualTo(1);
      } finally {
        WireClient.await(a.close());
      }
    }
  }

  @Test
  void messagesNotAckedBeforeADropComeAgainAndTheAppSeesEachOnce() {
    Session alice = SERVER.accounts().register("alice");
    Session bob = SERVER.accounts().register("bob");
    List<String> texts = List.of("one", "two", "three", "four", "five");
    CourierClient a = client(alice, SERVER.port(), new Recorder());
    try (TcpProxy proxy = TcpProxy.start(SERVER.port())) {
      for (String text : texts) {
        WireClient.await(a.send(bob.account(), to(bob, text)));
      }
      Recorder bobApp = new Recorder();
      AtomicInteger drops = new AtomicInteger();
      // Bob's network dies right after the app took the first message, before its ack can leave.
      bobApp.onEachMessage = m -> {
        if (drops.getAndIncrement() == 0) {
          proxy.cutAll();
        }
      };
      CourierClient b = client(bob, proxy.port(), bobApp);
      try {
        Poll.until(WAIT, () -> SERVER.mailboxLength(bob) == 0, () -> "Bob acked everything after reconnecting");
        assertThat(bobApp.texts()).containsExactlyElementsOf(texts);
        assertThat(proxy.acceptedConnections()).as("Bob reconnected").isGreaterThanOrEqualTo(2);
      } finally {
        WireClient.await(b.close());
      }
    } finally {
      WireClient.await(a.close());
    }
  }
}
