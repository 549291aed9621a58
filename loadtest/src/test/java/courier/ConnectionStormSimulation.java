package courier;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A connection storm: {@code connections} authenticated WebSockets opened at {@code rate} a second,
 * each waiting for {@code drained}, then held for {@code hold} seconds with an application
 * {@code ping} every {@code pingEvery} seconds (the server's idle timeout is 60 s), then closed.
 * Accounts are registered and logged in in {@code before()}.
 *
 * <p>Properties: {@code connections} (50), {@code rate} (connections/s, 25), {@code hold} (s, 10),
 * {@code pingEvery} (s, 5), {@code courier.url}, {@code run}.
 */
public class ConnectionStormSimulation extends Simulation {

  private final int connections = Courier.intProp("connections", 50);
  private final double rate = Double.parseDouble(System.getProperty("rate", "25"));
  private final int hold = Courier.intProp("hold", 10);
  private final int pingEvery = Math.max(1, Courier.intProp("pingEvery", 5));
  private final List<Courier.Account> accounts = new ArrayList<>();

  private final HttpProtocolBuilder protocol = http.baseUrl(Courier.URL).wsBaseUrl(Courier.WS_URL);

  private final ScenarioBuilder storm = scenario("connection storm")
      .feed(Courier.feeder(accounts))
      .exec(ws("connect").connect("/v1/ws")
          .header("Authorization", "Bearer #{token}")
          .await(Duration.ofSeconds(30)).on(
              ws.checkTextMessage("drained").matching(jsonPath("$.type").is("drained"))))
      .repeat(hold / pingEvery, "p").on(
          pause(Duration.ofSeconds(pingEvery)),
          exec(ws("ping").sendText("{\"type\":\"ping\",\"id\":\"p#{p}\"}")
              .await(Duration.ofSeconds(10)).on(
                  ws.checkTextMessage("pong").matching(jsonPath("$.type").is("pong")))))
      .pause(Duration.ofSeconds(hold % pingEvery))
      .exec(ws("close").close());

  public ConnectionStormSimulation() {
    long rampMillis = Math.max(1, Math.round(connections * 1000 / rate));
    setUp(storm.injectOpen(rampUsers(connections).during(Duration.ofMillis(rampMillis))))
        .protocols(protocol)
        .assertions(global().failedRequests().count().is(0L));
  }

  @Override
  public void before() {
    System.out.printf("ConnectionStormSimulation: %d connections at %.1f/s, held %d s, ping every %d s, %s%n",
        connections, rate, hold, pingEvery, Courier.URL);
    accounts.addAll(Courier.prepare("w", connections));
  }
}
