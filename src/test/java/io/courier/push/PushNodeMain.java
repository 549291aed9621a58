package io.courier.push;

import io.courier.CourierServer;
import io.courier.config.ConfigLoader;
import io.courier.config.CourierConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code io.courier.Main} for a node process in {@link PushTakeoverTest}: the same arguments, and a Web Push sender
 * that reports each wake-up to the test's recorder ({@link HttpRecordingSender}, at {@code PUSH_RECORDER_URL}) in
 * place of a push service.
 */
public final class PushNodeMain {
  private PushNodeMain() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of("config/courier.yaml");
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if ("--config".equals(args[i])) {
        file = Path.of(args[i + 1]);
      } else {
        overrides.add(args[i + 1]);
      }
    }
    CourierConfig config = new ConfigLoader(System.getenv()).load(file, overrides);
    HttpRecordingSender sender = new HttpRecordingSender(URI.create(System.getenv("PUSH_RECORDER_URL")),
        System.getenv("PUSH_NODE_NAME"));
    CourierServer server = CourierServer.start(config, System.getenv(), Map.of(sender.kind(), sender));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "courier-shutdown"));
    System.out.println("courier listening on " + server.baseUri());
  }
}
