package io.courier.client.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.cli.CourierCli;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestIds;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code courier} CLI with files, against the real server and store: {@code send-file} with its progress lines,
 * {@code /file} in {@code chat}, and {@code send} / {@code chat} saving what arrives under {@code --downloads}.
 */
class FileCommandsCliTest {

  static final String PASSWORD = "correct horse battery";

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @TempDir
  Path root;

  @Test
  void sendFileUploadsWithProgressAndTheRecipientsSendSavesItUnderDownloads() throws IOException {
    String alice = register("alice");
    String bob = register("bob");
    Path photo = randomFile("photo.jpg", 3 * 1024 * 1024 + 77);

    String sent = run(alice, "", "send-file", alice, "--to", bob, photo.toString());
    String got = run(bob, "", "send", bob, "--to", alice, "--downloads", root.resolve("bob-files").toString(),
        "thanks");

    assertThat(progressLines(sent, "uploading photo.jpg")).as("one line per 10%, not a TTY")
        .map(percent -> percent / 10).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(sent).contains("uploading photo.jpg [####################] 100% 3.0/3.0 MiB", "  sent      ",
        "(photo.jpg, 3.0 MiB)");
    Path saved = root.resolve("bob-files").resolve("photo.jpg");
    assertThat(got).contains(alice + " sent photo.jpg (3.0 MiB), downloading",
        "downloading photo.jpg [####################] 100% 3.0/3.0 MiB",
        alice + " sent photo.jpg (3.0 MiB), saved to " + saved);
    assertThat(progressLines(got, "downloading photo.jpg")).endsWith(100);
    assertThat(saved).hasSameBinaryContentAs(photo);
  }

  @Test
  void aFileSentFromChatIsSavedByTheRecipientsChatUnderAFreeName() throws IOException {
    String alice = register("alice");
    String bob = register("bob");
    Path notes = randomFile("notes.txt", 2000);
    Path downloads = root.resolve("bob-home").resolve("downloads");
    Files.createDirectories(downloads);
    Files.writeString(downloads.resolve("notes.txt"), "an older file with the same name");

    String aliceScreen = run(alice, "hello\n/file " + notes + "\n", "chat", alice, "--to", bob);
    String bobScreen = run(bob, "", "chat", bob);

    assertThat(aliceScreen).contains("uploading notes.txt", "(notes.txt, 2.0 KiB)");
    assertThat(bobScreen).contains(alice + ": hello",
        alice + " sent notes.txt (2.0 KiB), saved to " + downloads.resolve("notes (1).txt"));
    assertThat(downloads.resolve("notes (1).txt")).hasSameBinaryContentAs(notes);
    assertThat(downloads.resolve("notes.txt")).hasContent("an older file with the same name");
  }

  @Test
  void aFileThatCannotBeReadIsNotSentAndTheCommandFails() {
    String alice = register("alice");
    String bob = register("bob");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int code = CourierCli.run(args(alice, "send-file", alice, "--to", bob, root.resolve("missing.jpg").toString()),
        new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8));

    assertThat(code).isEqualTo(1);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("  not sent: missing.jpg");
  }

  // ---------------------------------------------------------------- helpers

  /** Registers a new account from its own home folder ({@code <root>/<base>-home}); returns its name. */
  private String register(String base) {
    String name = TestIds.unique(base);
    homes.put(name, root.resolve(base + "-home"));
    run(name, "", "register", name, "--password", PASSWORD);
    return name;
  }

  private final java.util.Map<String, Path> homes = new java.util.HashMap<>();

  private String run(String account, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = CourierCli.run(args(account, args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text).isZero();
    return text;
  }

  private String[] args(String account, String... args) {
    String[] all = new String[args.length + 4];
    all[0] = "--server";
    all[1] = SERVER.baseUri();
    all[2] = "--home";
    all[3] = homes.get(account).toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return all;
  }

  private Path randomFile(String name, int size) throws IOException {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    Path file = root.resolve("files").resolve(name);
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  /** The percentages shown by the progress lines of {@code label}, in order. */
  private static List<Integer> progressLines(String screen, String label) {
    Matcher line = Pattern.compile(Pattern.quote(label) + " \\[[# ]{20}] (\\d+)% ").matcher(screen);
    List<Integer> percents = new java.util.ArrayList<>();
    while (line.find()) {
      percents.add(Integer.parseInt(line.group(1)));
    }
    return percents;
  }
}
