package courier;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Offline delivery: sender i sends {@code backlog} messages to recipient i while the recipient is
 * offline (each awaited until {@code sent}, so it is stored); then every recipient connects and
 * must receive all of them and then {@code drained}, acking each as it arrives
 * ({@link Inbox#autoReply}; the server sends at most {@code limits.maxUnackedEntries} ahead).
 * The drain time per recipient is the response time of the check {@code drained} (from the
 * handshake to the {@code drained} frame) and the group {@code drain} (connect included); the
 * request {@code verify backlog} fails when a recipient got fewer than {@code backlog} messages.
 *
 * <p>Properties: {@code recipients} (10), {@code backlog} (messages each, 100; at most
 * {@code mailbox.maxLength}), {@code maxDrain} (s, 60: the timeout for {@code drained}), {@code size} (ciphertext bytes, 64),
 * {@code courier.url}, {@code run}.
 */
public class OfflineDrainSimulation extends Simulation {

  private final int recipients = Courier.intProp("recipients", 10);
  private final int backlog = Courier.intProp("backlog", 100);
  private final int maxDrain = Courier.intProp("maxDrain", 60);
  private final String ciphertext = Courier.ciphertext(Courier.intProp("size", 64));
  private final List<Courier.Account> senders = new ArrayList<>();
  private final List<Courier.Account> receivers = new ArrayList<>();

  private final HttpProtocolBuilder protocol = http.baseUrl(Courier.URL)
      .wsBaseUrl(Courier.WS_URL)
      .wsAutoReplyTextFrame(Inbox::autoReply);

  private final ScenarioBuilder send = scenario("senders")
      .feed(Courier.feeder(senders))
      .exec(ws("connect").connect("/v1/ws")
          .header("Authorization", "Bearer #{token}")
          .await(Duration.ofSeconds(30)).on(
              ws.checkTextMessage("drained").matching(jsonPath("$.type").is("drained"))))
      .repeat(backlog, "k").on(
          exec(s -> s.set("msgId", "d-" + Courier.RUN + "-" + s.getInt("index") + "-" + s.getInt("k"))),
          exec(ws("send").sendText(this::sendFrame)
              .await(Duration.ofSeconds(5)).on(
                  ws.checkTextMessage("sent")
                      .matching(jsonPath("$.id").is(s -> s.getString("msgId")))
                      .check(jsonPath("$.type").is("sent")))))
      .exec(ws("close").close());

  private final ScenarioBuilder drain = scenario("recipients")
      .feed(Courier.feeder(receivers))
      .group("drain").on(
          exec(ws("connect").connect("/v1/ws")
              .header("Authorization", "Bearer #{token}")
              .await(Duration.ofSeconds(maxDrain)).on(
                  ws.checkTextMessage("drained").matching(jsonPath("$.type").is("drained")))))
      // fails (KO) when fewer than backlog messages from this recipient's sender came before drained
      .exec(ws("verify backlog").sendText("{\"type\":\"ping\",\"id\":\"verify\"}")
          .await(Duration.ofSeconds(5)).on(
              ws.checkTextMessage("count")
                  .matching(jsonPath("$.id").is("verify"))
                  .check(jsonPath("$.type").is(s -> Inbox.receivedFrom(senders.get(s.getInt("index")).name()) >= backlog
                      ? "pong" : "short-backlog"))))
      .exec(ws("close").close());

  public OfflineDrainSimulation() {
    setUp(send.injectOpen(atOnceUsers(recipients))
        .andThen(drain.injectOpen(atOnceUsers(recipients))))
        .protocols(protocol)
        .assertions(global().failedRequests().count().is(0L));
  }

  private String sendFrame(Session s) {
    Courier.Account to = receivers.get(s.getInt("index"));
    return "{\"type\":\"send\",\"id\":\"" + s.getString("msgId") + "\",\"to\":\"" + to.name()
        + "\",\"envelopes\":[{\"device\":" + to.device() + ",\"ciphertext\":\"" + ciphertext + "\"}]}";
  }

  @Override
  public void before() {
    System.out.printf("OfflineDrainSimulation: %d recipients, backlog %d each, %s%n", recipients, backlog, Courier.URL);
    senders.addAll(Courier.prepare("s", recipients));
    receivers.addAll(Courier.prepare("r", recipients));
  }

  @Override
  public void after() {
    System.out.println("OfflineDrainSimulation " + Inbox.summary());
  }
}
