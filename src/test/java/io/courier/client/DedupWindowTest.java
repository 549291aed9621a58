package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DedupWindowTest {

  @Test
  void dedupWindowReportsSeenMessages() {
    DedupWindow window = new DedupWindow(10);
    window.remember("alice", "m1");

    assertThat(window.contains("alice", "m1")).isTrue();
    assertThat(window.contains("alice", "m2")).isFalse();
  }

  @Test
  void dedupWindowTellsSendersApart() {
    DedupWindow window = new DedupWindow(10);
    window.remember("alice", "m1");

    assertThat(window.contains("bob", "m1")).isFalse();
  }

  @Test
  void dedupWindowForgetsEldestBeyondCapacity() {
    DedupWindow window = new DedupWindow(3);
    window.remember("alice", "m1");
    window.remember("alice", "m2");
    window.remember("alice", "m3");
    window.remember("alice", "m4");

    assertThat(window.size()).isEqualTo(3);
    assertThat(window.contains("alice", "m1")).isFalse();
    assertThat(window.contains("alice", "m2")).isTrue();
    assertThat(window.contains("alice", "m4")).isTrue();
  }

  @Test
  void dedupWindowKeepsRecentlyCheckedMessagesLonger() {
    DedupWindow window = new DedupWindow(2);
    window.remember("alice", "m1");
    window.remember("alice", "m2");

    window.contains("alice", "m1");
    window.remember("alice", "m3");

    assertThat(window.contains("alice", "m1")).isTrue();
    assertThat(window.contains("alice", "m2")).isFalse();
  }
}
