package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutboxTest {

  @Test
  void outboxReturnsRequestsInIssueOrder() {
    Outbox outbox = new Outbox();
    outbox.add("m2", "{2}", 3);
    outbox.add("m1", "{1}", 3);
    outbox.add("m3", "{3}", 3);

    assertThat(outbox.inOrder()).extracting(request -> request.id).containsExactly("m2", "m1", "m3");
  }

  @Test
  void outboxKeepsTheFirstRequestForARepeatedId() {
    Outbox outbox = new Outbox();
    Outbox.Request first = outbox.add("m1", "first", 5);

    Outbox.Request again = outbox.add("m1", "second", 6);

    assertThat(again).isSameAs(first);
    assertThat(again.frame).isEqualTo("first");
    assertThat(outbox.size()).isOne();
  }

  @Test
  void outboxForgetsAnsweredRequests() {
    Outbox outbox = new Outbox();
    Outbox.Request request = outbox.add("m1", "{}", 2);

    assertThat(outbox.remove("m1")).isSameAs(request);
    assertThat(outbox.isPending(request)).isFalse();
    assertThat(outbox.remove("m1")).isNull();
    assertThat(outbox.find(null)).isNull();
  }

  @Test
  void outboxRemovesTheLargestFrameFirst() {
    Outbox outbox = new Outbox();
    outbox.add("small", "{}", 2);
    outbox.add("big", "{...}", 500);
    outbox.add("medium", "{..}", 40);

    assertThat(outbox.removeLargest().id).isEqualTo("big");
    assertThat(outbox.inOrder()).extracting(request -> request.id).containsExactly("small", "medium");
  }

  @Test
  void outboxRemoveAllEmptiesItInIssueOrder() {
    Outbox outbox = new Outbox();
    outbox.add("m1", "{}", 2);
    outbox.add("m2", "{}", 2);

    assertThat(outbox.removeAll()).extracting(request -> request.id).containsExactly("m1", "m2");
    assertThat(outbox.size()).isZero();
    assertThat(outbox.removeLargest()).isNull();
  }
}
