package io.courier.testing;

import io.courier.CourierServer;
import io.courier.config.ConfigLoader;
import io.courier.config.CourierConfig;
import io.courier.push.PushSender;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real server started in the test JVM against a test's Redis: port 0, a temporary data folder, cheap
 * bcrypt, and limits high enough that only tests about limits meet them. Extra {@code key=value} overrides
 * are applied last.
 */
public final class TestServer {
  /** Overrides every in-process test server gets. */
  private static final List<String> TEST_OVERRIDES = List.of(
      "server.port=0",
      "server.instances=2",
      "auth.bcryptCost=4",
      "limits.sendsPerSecond=100000",
      "limits.sendBurst=100000",
      "limits.loginsPerMinute=100000",
      // Every test client comes from 127.0.0.1: the limits per address would otherwise meet each other.
      "limits.registrationsPerMinute=100000",
      "limits.linkAttemptsPerMinute=100000",
      "limits.linkCodesPerMinute=100000",
      "limits.pushRegistrationsPerMinute=100000");

  private TestServer() {}

  public static CourierServer start(String redisUrl, String... overrides) {
    return start(redisUrl, Map.of(), overrides);
  }

  /** The same, with push senders by target kind for the node's push worker (when {@code push.enabled=true}). */
  public static CourierServer start(String redisUrl, Map<String, PushSender> pushSenders, String... overrides) {
    try {
      Path dataDir = Files.createTempDirectory("courier-test-");
      List<String> all = new ArrayList<>(TEST_OVERRIDES);
      all.add("redis.url=" + redisUrl);
      all.add("dataDir=" + dataDir);
      all.addAll(List.of(overrides));
      CourierConfig config = new ConfigLoader(Map.of()).load(Path.of("config/courier.yaml"), all);
      return CourierServer.start(config, Map.of(), pushSenders);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException("the test server did not start", e);
    }
  }
}
