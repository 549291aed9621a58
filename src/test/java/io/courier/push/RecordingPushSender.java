package io.courier.push;

import io.vertx.core.Future;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link PushSender} of our own edge interface for tests: records every wake-up it is asked to send and answers
 * with the outcomes queued by {@link #answerNext}, then {@link PushOutcome.Accepted}.
 */
public final class RecordingPushSender implements PushSender {
  /** One call: the target and when it came (ms). */
  public record Call(PushTarget target, long at) {}

  private final String kind;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Deque<PushOutcome> answers = new ArrayDeque<>();

  public RecordingPushSender(String kind) {
    this.kind = kind;
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Future<PushOutcome> send(PushTarget target) {
    calls.add(new Call(target, System.currentTimeMillis()));
    PushOutcome answer;
    synchronized (answers) {
      answer = answers.isEmpty() ? new PushOutcome.Accepted() : answers.poll();
    }
    return Future.succeededFuture(answer);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  /** The next calls get these outcomes, in order. */
  public void answerNext(PushOutcome... outcomes) {
    synchronized (answers) {
      answers.addAll(List.of(outcomes));
    }
  }

  /** How many calls came, for any target. */
  public int calls() {
    return calls.size();
  }

  /** The calls for the target whose endpoint or token is {@code address}, oldest first. */
  public List<Call> callsFor(String address) {
    return calls.stream().filter(c -> PushTargetFields.address(c.target()).equals(address)).toList();
  }
}
