package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeenMessagesTest {

  @TempDir
  Path dir;

  @Test
  void handledMessagesSurviveAReopen() {
    SeenMessages seen = SeenMessages.open(dir, 100);
    seen.add("alice", "m1");
    seen.add("bob", "m1");

    SeenMessages reopened = SeenMessages.open(dir, 100);

    assertThat(reopened.contains("alice", "m1")).isTrue();
    assertThat(reopened.contains("bob", "m1")).isTrue();
    assertThat(reopened.contains("alice", "m2")).isFalse();
  }

  @Test
  void aTornLastLineIsIgnored() throws Exception {
    SeenMessages seen = SeenMessages.open(dir, 100);
    seen.add("alice", "m1");
    Files.write(dir.resolve(SeenMessages.FILE), "bob\tm".getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);

    SeenMessages reopened = SeenMessages.open(dir, 100);

    assertThat(reopened.contains("alice", "m1")).isTrue();
    assertThat(reopened.contains("bob", "m")).isFalse();
    assertThat(reopened.size()).isEqualTo(1);
  }

  @Test
  void onlyTheNewestMessagesAreKeptAndTheFileIsCompacted() throws Exception {
    SeenMessages seen = SeenMessages.open(dir, 10);
    for (int i = 0; i < 35; i++) {
      seen.add("alice", "m" + i);
    }

    SeenMessages reopened = SeenMessages.open(dir, 10);

    assertThat(reopened.size()).isEqualTo(10);
    assertThat(reopened.contains("alice", "m34")).isTrue();
    assertThat(reopened.contains("alice", "m24")).isFalse();
    assertThat(Files.readAllLines(dir.resolve(SeenMessages.FILE)).size()).isLessThanOrEqualTo(20);
  }
}
