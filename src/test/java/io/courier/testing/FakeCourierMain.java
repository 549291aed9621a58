package io.courier.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A stand-in for {@code io.courier.Main}, run only by {@link ServerProcessTest} so the launcher can
 * be tested without the real server. It prints its arguments, binds {@code server.port} on
 * loopback, prints the ready line, and accepts (and closes) connections until it is signalled.
 *
 * <p>{@code --set fake.exit=N} makes it print "fake failure" and exit with N before binding;
 * {@code --set fake.silent=true} makes it bind but never print the ready line.
 */
public final class FakeCourierMain {
  private FakeCourierMain() {
  }

  /** Entry point; see the class comment for the arguments it understands. */
  public static void main(String[] args) throws IOException {
    System.out.println("args " + String.join(" ", args));
    String portSetting = setting(args, "server.port", "0");
    String exit = setting(args, "fake.exit", null);
    if (exit != null) {
      System.err.println("fake failure");
      System.exit(Integer.parseInt(exit));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("fake shutdown hook ran")));
    try (ServerSocket socket = new ServerSocket(Integer.parseInt(portSetting), 50, InetAddress.getLoopbackAddress())) {
      if (setting(args, "fake.silent", null) == null) {
        System.out.println("INFO  courier listening on http://127.0.0.1:" + socket.getLocalPort());
      }
      while (true) {
        socket.accept().close();
      }
    }
  }

  /** The value of the last {@code --set key=value} for {@code key}, or {@code fallback}. */
  private static String setting(String[] args, String key, String fallback) {
    String value = fallback;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--set") && args[i + 1].startsWith(key + "=")) {
        value = args[i + 1].substring(key.length() + 1);
      }
    }
    return value;
  }
}
