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
 * Steady one-to-one chat. Virtual users 2k and 2k+1 are partners: each connects, waits for
 * {@code drained}, then sends {@code rate} messages a second to the other for {@code duration}
 * seconds, awaiting {@code sent} for each; every {@code message} and {@code receipt} is acked as
 * it arrives ({@link Inbox#autoReply}), so each sent message should come back as a delivered receipt. Accounts are registered and logged in in {@code before()}, so
 * every partner's device 1 exists before anyone sends.
 *
 * <p>Properties: {@code users} (20, rounded up to even), {@code rate} (messages/s per user, 2),
 * {@code duration} (s, 10), {@code rampUp} (s, 2), {@code size} (ciphertext bytes, 64),
 * {@code p99} (ms, 500: the bound on the p99 of {@code sent}), {@code courier.url}, {@code run}.
 */
public class ChatSimulation extends Simulation {

  private final int users = (Courier.intProp("users", 20) + 1) / 2 * 2;
  private final double rate = Double.parseDouble(System.getProperty("rate", "2"));
  private final int duration = Courier.intProp("duration", 10);
  private final int rampUp = Courier.intProp("rampUp", 2);
  private final int p99 = Courier.intProp("p99", 500);
  private final String ciphertext = Courier.ciphertext(Courier.intProp("size", 64));
  private final List<Courier.Account> accounts = new ArrayList<>();

  private final HttpProtocolBuilder protocol = http.baseUrl(Courier.URL)
      .wsBaseUrl(Courier.WS_URL)
      .wsAutoReplyTextFrame(Inbox::autoReply);

  private final ScenarioBuilder chat = scenario("chat")
      .feed(Courier.feeder(accounts))
      .exec(s -> s.set("partner", accounts.get(s.getInt("index") ^ 1)).set("seq", 0))
      .exec(ws("connect").connect("/v1/ws")
          .header("Authorization", "Bearer #{token}")
          .await(Duration.ofSeconds(30)).on(
              ws.checkTextMessage("drained").matching(jsonPath("$.type").is("drained"))))
      .during(Duration.ofSeconds(duration)).on(
          pace(Duration.ofMillis(Math.max(1, Math.round(1000 / rate)))),
          exec(s -> s.set("msgId", "m-" + Courier.RUN + "-" + s.getInt("index") + "-" + s.getInt("seq"))
              .set("seq", s.getInt("seq") + 1)),
          exec(ws("send").sendText(this::sendFrame)
              .await(Duration.ofSeconds(5)).on(
                  ws.checkTextMessage("sent")
                      .matching(jsonPath("$.id").is(s -> s.getString("msgId")))
                      .check(jsonPath("$.type").is("sent")))))
      // a short tail: ack the partner's last messages and collect the last receipts
      .pause(Duration.ofSeconds(2))
      .exec(ws("close").close());

  public ChatSimulation() {
    setUp(chat.injectOpen(rampUsers(users).during(Duration.ofSeconds(rampUp))))
        .protocols(protocol)
        .assertions(
            global().failedRequests().count().is(0L),
            details("sent").responseTime().percentile(99.0).lt(p99));
  }

  private String sendFrame(Session s) {
    Courier.Account partner = s.get("partner");
    return "{\"type\":\"send\",\"id\":\"" + s.getString("msgId") + "\",\"to\":\"" + partner.name()
        + "\",\"envelopes\":[{\"device\":" + partner.device() + ",\"ciphertext\":\"" + ciphertext + "\"}]}";
  }

  @Override
  public void before() {
    System.out.printf("ChatSimulation: %d users, %.2f msg/s each for %d s, ramp %d s, %s%n",
        users, rate, duration, rampUp, Courier.URL);
    accounts.addAll(Courier.prepare("c", users));
  }

  @Override
  public void after() {
    System.out.println("ChatSimulation " + Inbox.summary());
  }
}
