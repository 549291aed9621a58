package io.courier.bench;

import io.courier.testing.RedisProcess;
import io.courier.testing.RespConnection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What push scheduling costs the append script, measured where it runs: Redis's own {@code usec_per_call} for the
 * script (INFO commandstats), one-envelope appends to a device, back to back in one {@code redis-server}, rounds
 * alternating between the cases. Not a test; see docs/BENCHMARKS.md "Push scheduling in the append".
 *
 * <p>Cases: {@code before} (the script as it was before push scheduling, from the file given as the first argument),
 * {@code off} (push.enabled false: flag '0', no push keys), {@code on-online} (push on, the recipient has a live
 * route: the chat path), {@code on-offline} (push on, the recipient has no route and a target: the first append of a
 * round makes a wake-up due, every later one is coalesced).
 */
public final class AppendScriptBench {
  /** Appends per case per round. */
  static final int APPENDS = 20_000;
  /** Rounds; the first is a warm-up and not reported. */
  static final int ROUNDS = 8;
  private static final Pattern USEC = Pattern.compile("cmdstat_evalsha:calls=(\\d+),usec=(\\d+)");

  private AppendScriptBench() {}

  public static void main(String[] args) throws IOException {
    String before = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
    String after = Files.readString(Path.of("src/main/resources/lua/mailbox_append.lua"), StandardCharsets.UTF_8);
    try (RedisProcess redis = RedisProcess.builder().build().start();
         RespConnection c = RespConnection.open(RedisProcess.HOST, redis.port())) {
      String[] cases = {"before", "off", "on-online", "on-offline"};
      double[][] usec = new double[cases.length][ROUNDS];
      for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < cases.length; k++) {
          String account = "r" + round + "x" + k;
          c.call("HSET", "devices:{u:" + account + "}", "1", "{}");
          c.call("SET", "account:{u:" + account + "}", "{}");
          if (!cases[k].equals("on-offline")) {
            c.call("HSET", "routes:{u:" + account + "}", "1", "node 1");
          }
          c.call("HSET", "pushtarget:{u:" + account + "}:1", "kind", "webpush", "endpoint", "https://x/y");
          c.call("CONFIG", "RESETSTAT");
          String script = c.call("SCRIPT", "LOAD", cases[k].equals("before") ? before : after).toString();
          for (int i = 0; i < APPENDS; i++) {
            c.call(eval(script, cases[k], account, "m" + i));
          }
          Matcher m = USEC.matcher(c.call("INFO", "commandstats").toString());
          if (!m.find()) {
            throw new IllegalStateException("no eval stats");
          }
          usec[k][round] = Double.parseDouble(m.group(2)) / Double.parseDouble(m.group(1));
          c.call("DEL", "mbox:{u:" + account + "}:1");
        }
      }
      System.out.println("usec per append script call (Redis commandstats), rounds 2.." + ROUNDS + ", " + APPENDS
          + " appends each:");
      for (int k = 0; k < cases.length; k++) {
        StringBuilder line = new StringBuilder(String.format("%-11s", cases[k]));
        for (int round = 1; round < ROUNDS; round++) {
          line.append(String.format(" %6.2f", usec[k][round]));
        }
        double[] sorted = java.util.Arrays.copyOfRange(usec[k], 1, ROUNDS);
        java.util.Arrays.sort(sorted);
        line.append(String.format("   median %6.2f", sorted[sorted.length / 2]));
        System.out.println(line);
      }
    }
  }

  /** EVALSHA with the keys and arguments each script version takes. */
  private static String[] eval(String script, String mode, String account, String id) {
    boolean push = mode.startsWith("on");
    List<String> keys = new ArrayList<>(List.of("account:{u:" + account + "}", "devices:{u:" + account + "}",
        "regids:{u:" + account + "}", "dedup:{u:" + account + "}:s:" + id, "routes:{u:" + account + "}",
        "unread:{u:" + account + "}:s", "mbox:{u:" + account + "}:1"));
    if (push) {
      keys.add("pushtarget:{u:" + account + "}:1");
      keys.add("pushsched:{u:" + account + "}:1");
    }
    List<String> args = new ArrayList<>(List.of("append", "86400", "2592000000", "1000000", "s", "1", id, "", "0"));
    if (!mode.equals("before")) {
      args.add(push ? "1" : "0");
      args.add(push ? "60000" : "0");
    }
    args.addAll(List.of("1", "0", "Y2lwaGVydGV4dCBvZiBhIHNob3J0IG1lc3NhZ2UgYWJvdXQgbHVuY2g="));
    List<String> all = new ArrayList<>(List.of("EVALSHA", script, Integer.toString(keys.size())));
    all.addAll(keys);
    all.addAll(args);
    return all.toArray(String[]::new);
  }
}
