package io.courier.push;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

/**
 * A Web Push {@link PushSender} for node processes in tests: POSTs each wake-up's endpoint to a recorder in the
 * test JVM (with this node's name in {@code X-Node}); 200 is {@link PushOutcome.Accepted}, anything else a retry.
 */
final class HttpRecordingSender implements PushSender {
  private final URI recorder;
  private final String node;
  private HttpClient client;

  HttpRecordingSender(URI recorder, String node) {
    this.recorder = recorder;
    this.node = node;
  }

  @Override
  public String kind() {
    return "webpush";
  }

  @Override
  public Future<PushOutcome> send(PushTarget target) {
    if (client == null) {
      // One connection per wake-up in flight: the recorder holds requests, and a pooled one would queue behind.
      client = Vertx.currentContext().owner().createHttpClient(new HttpClientOptions(),
          new PoolOptions().setHttp1MaxSize(PushWorker.BATCH * 2));
    }
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(recorder.getHost())
        .setPort(recorder.getPort()).setURI("/wake").putHeader("X-Node", node);
    return client.request(options)
        .compose(request -> request.send(PushTargetFields.address(target)))
        .map(HttpRecordingSender::outcome);
  }

  private static PushOutcome outcome(HttpClientResponse response) {
    return response.statusCode() == 200 ? new PushOutcome.Accepted()
        : new PushOutcome.Retry(null, Integer.toString(response.statusCode()));
  }

  @Override
  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
