package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.CourierServer;
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
import io.courier.testing.RedisServerExtension;
import io.courier.testing.TcpProxy;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestServer;
import io.courier.testing.TestTokens;
import io.courier.testing.WireClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference SDK against the real server: ticks, resending after a lost {@code sent}, and redelivery after
 * a lost ack, with the network failures made by a real TCP proxy on loopback.
 */
class SdkChatTest {
  @RegisterExtension
  static final RedisServerExtension REDIS = RedisServerExtension.builder().build();
  static final Duration WAIT = Duration.ofSeconds(15);

  static Vertx vertx;
  static CourierServer server;
  static TestAccounts accounts;
  static TestTokens keys;

  @BeforeAll
  static void startServer() {
    vertx = Vertx.vertx();
    keys = TestTokens.generate();
    server = TestServer.start(REDIS.url(), keys.serverOverrides());
    accounts = new TestAccounts(vertx, server.baseUri());
  }

  @AfterAll
  static void stopServer() {
    server.close();
    vertx.close();
  }

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
    ClientOptions options = ClientOptions.create(URI.create("http://127.0.0.1:" + port),
            new SessionTokenSource(accounts.api(), session))
        .withListener(listener)
        .withBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    CourierClient client = new CourierClient(vertx, options);
    WireClient.await(client.connect());
    return client;
  }

  static Map<Integer, byte[]> to(Session device, String text) {
    return Map.of(device.device(), text.getBytes(StandardCharsets.UTF_8));
  }

  static long mailboxLength(Session device) {
    return (Long) REDIS.redis().command("XLEN", "mbox:{u:" + device.account() + "}:" + device.device());
  }

  @Test
  void senderSeesSentThenDeliveredThenRead() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    Recorder aliceApp = new Recorder();
    Recorder bobApp = new Recorder();
    CourierClient a = client(alice, server.port(), aliceApp);
    CourierClient b = client(bob, server.port(), bobApp);
    try {
      Sent sent = WireClient.await(a.send(bob.account(), to(bob, "hello")));
      Poll.until(WAIT, () -> bobApp.messages.size() == 1, () -> "Bob got the message");
      assertThat(bobApp.texts()).containsExactly("hello");
      assertThat(bobApp.messages.get(0).id()).isEqualTo(sent.id());
      Poll.until(WAIT, () -> aliceApp.receiptKinds(sent.id()).contains(Receipt.DELIVERED), () -> "double tick");
      WireClient.await(b.markRead(alice.account(), List.of(sent.id())));
      Poll.until(WAIT, () -> aliceApp.receiptKinds(sent.id()).contains(Receipt.READ), () -> "blue tick");
      assertThat(aliceApp.receiptKinds(sent.id())).containsExactly(Receipt.DELIVERED, Receipt.READ);
      Poll.until(WAIT, () -> mailboxLength(bob) == 0 && mailboxLength(alice) == 0, () -> "everything acked");
    } finally {
      WireClient.await(Future.all(a.close(), b.close()));
    }
  }

  @Test
  void expiredTokenIsRefreshedBeforeTheNextAttempt() {
    Session bob = accounts.register("bob");
    String expired = keys.es256(TestTokens.claims(bob.account(), bob.device(), System.currentTimeMillis() / 1000 - 60));
    List<Boolean> asked = Collections.synchronizedList(new ArrayList<>());
    TokenSource tokens = refresh -> {
      asked.add(refresh);
      return Future.succeededFuture(refresh ? bob.accessToken() : expired);
    };
    CourierClient b = new CourierClient(vertx, ClientOptions.create(URI.create(server.baseUri()), tokens)
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
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    try (TcpProxy proxy = TcpProxy.start(server.port());
         WireClient bobWire = WireClient.connect(vertx, server.port(), bob.accessToken())) {
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
        assertThat(mailboxLength(bob)).isEqualTo(1);
      } finally {
        WireClient.await(a.close());
      }
    }
  }

  @Test
  void messagesNotAckedBeforeADropComeAgainAndTheAppSeesEachOnce() {
    Session alice = accounts.register("alice");
    Session bob = accounts.register("bob");
    List<String> texts = List.of("one", "two", "three", "four", "five");
    CourierClient a = client(alice, server.port(), new Recorder());
    try (TcpProxy proxy = TcpProxy.start(server.port())) {
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
        Poll.until(WAIT, () -> mailboxLength(bob) == 0, () -> "Bob acked everything after reconnecting");
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
