package courier;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every simulation shares: the server address, the run id, and the preparation of accounts
 * over the plain HTTP API (register, then log in once, so each account has device 1 and a token)
 * before Gatling starts its virtual users. Preparation is not measured.
 *
 * <p>Access tokens live {@code expiresIn} seconds (900 by default); a connection stays open after
 * its token expires, so only the connect has to happen within that time.
 */
final class Courier {

  /** Base HTTP URL of one node or of the load balancer, e.g. {@code http://127.0.0.1:8080}. */
  static final String URL = trimSlash(System.getProperty("courier.url", "http://127.0.0.1:8080"));
  /** The same address for WebSockets: http becomes ws, https becomes wss. */
  static final String WS_URL = URL.replaceFirst("^http", "ws");
  /** Distinguishes the accounts of one run from every other: lower case, base 36 seconds. */
  static final String RUN = System.getProperty("run", Long.toString(System.currentTimeMillis() / 1000 % 60_466_176L, 36));
  static final String PASSWORD = "load-test-password";

  private static final Pattern TOKEN = Pattern.compile("\"accessToken\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern DEVICE = Pattern.compile("\"device\"\\s*:\\s*(\\d+)");
  private static final Pattern ENTRY = Pattern.compile("\"entry\"\\s*:\\s*\"([0-9]+-[0-9]+)\"");
  private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([a-z]+)\"");
  private static final Pattern AT = Pattern.compile("\"at\"\\s*:\\s*(\\d+)");
  private static final Pattern FROM = Pattern.compile("\"from\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern IDS = Pattern.compile("\"ids\"\\s*:\\s*\\[([^\\]]*)\\]");

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private Courier() {}

  static int intProp(String name, int def) {
    return Integer.parseInt(System.getProperty(name, Integer.toString(def)));
  }

  /** The account name of virtual user {@code n} of this run and simulation kind. */
  static String account(String kind, int n) {
    return "lt-" + RUN + "-" + kind + n;
  }

  /** A ciphertext of {@code bytes} random-looking bytes, standard base64 (the server never decrypts). */
  static String ciphertext(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return Base64.getEncoder().encodeToString(b);
  }

  /** One prepared account: its name, its device and an access token. */
  record Account(String name, int device, String token) {}

  /**
   * Registers and logs in {@code count} accounts named by {@link #account}, at most
   * {@code parallel} requests at a time. Fails loudly: a load test on half-prepared accounts
   * measures nothing.
   */
  static List<Account> prepare(String kind, int count) {
    int parallel = intProp("prepareParallelism", 32);
    Semaphore permits = new Semaphore(parallel);
    List<CompletableFuture<Account>> all = new ArrayList<>();
    long start = System.nanoTime();
    for (int n = 0; n < count; n++) {
      String name = account(kind, n);
      permits.acquireUninterruptibly();
      CompletableFuture<Account> f = post("/v1/accounts", credentials(name, null))
          .thenCompose(r -> {
            if (r.statusCode() != 201) {
              throw new IllegalStateException("register " + name + ": " + r.statusCode() + " " + r.body());
            }
            return post("/v1/sessions", credentials(name, "loadtest"));
          })
          .thenApply(r -> {
            if (r.statusCode() != 200) {
              throw new IllegalStateException("log in " + name + ": " + r.statusCode() + " " + r.body());
            }
            return new Account(name, Integer.parseInt(find(DEVICE, r.body())), find(TOKEN, r.body()));
          });
      f.whenComplete((a, e) -> permits.release());
      all.add(f);
    }
    List<Account> accounts = all.stream().map(CompletableFuture::join).toList();
    System.out.printf("prepared %d accounts lt-%s-%s* against %s in %d ms%n",
        count, RUN, kind, URL, (System.nanoTime() - start) / 1_000_000);
    return accounts;
  }

  /**
   * A feeder over prepared accounts: virtual user {@code n} (in start order) gets account {@code n},
   * with {@code index}, {@code account}, {@code device}, {@code token}. The accounts list is read
   * lazily, so it may be filled in {@code before()}.
   */
  static Iterator<Map<String, Object>> feeder(List<Account> accounts) {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < accounts.size();
      }

      @Override
      public Map<String, Object> next() {
        int n = next++;
        Account a = accounts.get(n);
        return Map.of("index", n, "account", a.name(), "device", a.device(), "token", a.token());
      }
    };
  }

  private static String credentials(String name, String deviceName) {
    return "{\"username\":\"" + name + "\",\"password\":\"" + PASSWORD + "\""
        + (deviceName == null ? "" : ",\"deviceName\":\"" + deviceName + "\"") + "}";
  }

  private static CompletableFuture<HttpResponse<String>> post(String path, String json) {
    HttpRequest req = HttpRequest.newBuilder(URI.create(URL + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
    return HTTP.sendAsync(req, HttpResponse.BodyHandlers.ofString());
  }

  private static String find(Pattern p, String text) {
    Matcher m = p.matcher(text);
    if (!m.find()) {
      throw new IllegalStateException("no " + p + " in " + text);
    }
    return m.group(1);
  }

  // ---- reading server frames without a JSON library (frames are small and flat) ----

  static String type(String frame) {
    Matcher m = TYPE.matcher(frame);
    return m.find() ? m.group(1) : "";
  }

  /** The mailbox entry of a {@code message} or {@code receipt} frame, or null. */
  static String entry(String frame) {
    Matcher m = ENTRY.matcher(frame);
    return m.find() ? m.group(1) : null;
  }

  static String from(String frame) {
    Matcher m = FROM.matcher(frame);
    return m.find() ? m.group(1) : null;
  }

  static long at(String frame) {
    Matcher m = AT.matcher(frame);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }

  /** The number of message ids in a receipt's {@code ids}. */
  static int idCount(String frame) {
    Matcher m = IDS.matcher(frame);
    if (!m.find() || m.group(1).isBlank()) {
      return 0;
    }
    return m.group(1).split(",").length;
  }

  /** The ack frame for these entries; with an id, the server answers {@code ok}. */
  static String ack(List<String> entries, String id) {
    StringBuilder sb = new StringBuilder("{\"type\":\"ack\"");
    if (id != null) {
      sb.append(",\"id\":\"").append(id).append('"');
    }
    sb.append(",\"entries\":[");
    for (int i = 0; i < entries.size(); i++) {
      sb.append(i == 0 ? "\"" : ",\"").append(entries.get(i)).append('"');
    }
    return sb.append("]}").toString();
  }

  private static String trimSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
