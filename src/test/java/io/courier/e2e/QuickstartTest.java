package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cli.CourierCli;
import io.courier.testing.Poll;
import io.courier.testing.ServerProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first steps, from nothing: the server with the default config (embedded Redis, no external
 * service) in its own process, then two users exchanging a first message with the CLI.
 */
class QuickstartTest {

  static String run(Path home, String server, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] all = prefix(server, home, args);
    int code = CourierCli.run(all, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    return text;
  }

  static String[] prefix(String server, Path home, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--server";
    all[1] = server;
    all[2] = "--home";
    all[3] = home.toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return all;
  }

  @Test
  void defaultConfigServerAndCliExchangeAFirstMessage(@TempDir Path home, @TempDir Path laptopHome)
      throws Exception {
    Path data = Files.createTempDirectory("courier-quickstart-");
    try (ServerProcess server = ServerProcess.builder().set("dataDir=" + data).build().start()) {
      String url = server.baseUri().toString();
      assertThat(server.output()).contains("embedded Redis started");
      assertThat(run(home, url, "", "register", "alice", "--password", "alice-password"))
          .contains("registered alice; this machine is device 1");
      assertThat(run(home, url, "", "register", "bob", "--password", "bob-password")).contains("registered bob");

      // Both keep a chat open; Alice types one line.
      Terminal bob = Terminal.open(home, url, "chat", "bob", "--to", "alice");
      bob.await("connected as bob device 1");
      Terminal alice = Terminal.open(home, url, "chat", "alice", "--to", "bob");
      alice.await("connected as alice device 1");
      alice.type("hello bob");
      bob.await("alice: hello bob");
      alice.await("  sent ");
      alice.await("  delivered ");
      alice.await("  read ");
      assertThat(alice.close()).isZero();
      assertThat(bob.close()).isZero();

      // Both sides show the same safety number.
      String aliceView = digits(run(home, url, "", "safety-number", "alice", "bob"));
      assertThat(aliceView).hasSize(60).isEqualTo(digits(run(home, url, "", "safety-number", "bob", "alice")));

      // Alice links a laptop with a one-time code; Bob's next message reaches both of her devices.
      String offer = run(home, url, "", "link-offer", "alice");
      String typed = offer.substring(offer.indexOf("courier link ") + "courier link ".length()).trim();
      assertThat(run(laptopHome, url, "", "link", typed, "--name", "laptop"))
          .contains("linked: this machine is alice device 2");
      assertThat(run(laptopHome, url, "", "devices", "alice")).contains("device 1").contains("device 2  laptop");
      assertThat(run(home, url, "", "send", "bob", "--to", "alice", "to", "both")).contains("  sent ");
      assertThat(run(laptopHome, url, "", "chat", "alice")).contains("bob: to both");
      assertThat(run(home, url, "", "chat", "alice")).contains("bob: to both");
    }
  }

  static String digits(String text) {
    return text.replaceAll("[^0-9]", "");
  }

  /** A CLI run with a keyboard the test types into and a screen it reads. */
  record Terminal(PipedOutputStream keyboard, ByteArrayOutputStream screen, CompletableFuture<Integer> exit) {
    static Terminal open(Path home, String url, String... args) {
      PipedOutputStream keyboard = new PipedOutputStream();
      ByteArrayOutputStream screen = new ByteArrayOutputStream();
      PipedInputStream in = pipe(keyboard);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> CourierCli.run(prefix(url, home, args),
          in, new PrintStream(screen, true, StandardCharsets.UTF_8)));
      return new Terminal(keyboard, screen, exit);
    }

    void await(String text) {
      Poll.until(Duration.ofSeconds(30), () -> screen.toString(StandardCharsets.UTF_8).contains(text),
          () -> "screen shows '" + text + "':\n" + screen.toString(StandardCharsets.UTF_8));
    }

    void type(String line) throws java.io.IOException {
      keyboard.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      keyboard.flush();
    }

    int close() throws Exception {
      keyboard.close();
      return exit.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  static PipedInputStream pipe(PipedOutputStream out) {
    try {
      return new PipedInputStream(out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
