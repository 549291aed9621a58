package io.courier;

import io.courier.config.ConfigException;
import io.courier.config.ConfigLoader;
import io.courier.config.CourierConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server command: {@code java -jar courier-server.jar [--config FILE] [--set key.path=value]...}.
 *
 * <p>Loads and validates the config (every problem printed, exit 2), starts a {@link CourierServer}, and prints
 * {@code courier listening on http://HOST:PORT} once the port is open; stops it on SIGTERM or Ctrl-C.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);
  /** Default config file, relative to the working directory. */
  static final String DEFAULT_CONFIG = "config/courier.yaml";

  private Main() {}

  public static void main(String[] args) {
    CourierConfig config;
    try {
      config = loadConfig(args);
    } catch (ConfigException | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    try {
      CourierServer server = CourierServer.start(config, System.getenv());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "courier-shutdown"));
      System.out.println("courier listening on " + server.baseUri());
    } catch (Exception e) {
      log.error("server failed to start", e);
      System.exit(1);
    }
  }

  static CourierConfig loadConfig(String[] args) {
    Path file = Path.of(DEFAULT_CONFIG);
    List<String> overrides = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      boolean hasValue = i + 1 < args.length;
      if ("--config".equals(arg) && hasValue) {
        file = Path.of(args[++i]);
      } else if ("--set".equals(arg) && hasValue) {
        overrides.add(args[++i]);
      } else {
        throw new IllegalArgumentException("usage: courier-server [--config FILE] [--set key.path=value]...\n"
            + "unexpected argument: " + arg);
      }
    }
    return new ConfigLoader(System.getenv()).load(file, overrides);
  }
}
