package io.courier.net;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an HTTP/1.x connection that keeps the server waiting on its client (slow-loris and idle clients), so
 * they cannot hold a node's file descriptors. One timer per connection, armed while the server waits for bytes:
 *
 * <ul>
 *   <li>a new connection must complete its first request head within {@code requestHeaderTimeout};
 *   <li>a kept-alive connection must complete its next request head within {@code idleTimeout} of its last
 *       response;
 *   <li>a request body must not go {@code idleTimeout} without a byte.
 * </ul>
 *
 * While a request is being answered (the server's turn) no timer runs. Trickling bytes does not help a client: a
 * head is timed from the start of the wait to its last byte, not between bytes. A WebSocket upgrade (a 101
 * answer) removes this handler, so an upgraded connection follows only the WebSocket's own liveness rules
 * ({@code connection.*}, PROTOCOL §7), however long it stays silent. That is why this is not Vert.x's
 * {@code idleTimeout}, whose handler stays in the pipeline after the upgrade.
 *
 * <p>It sits after the HTTP decoder and encoder, so it sees decoded requests coming in and responses going out.
 * All its methods run on the channel's event loop, so its state needs no locks.
 *
 * @implNote A body that trickles (a byte per {@code idleTimeout}) is not cut; its size is bounded by the body
 * limit. A response is timed from when it is written, not from when the client has read it: a client that reads
 * a response slower than the idle timeout, once it no longer fits in the socket buffers, is cut.
 */
public final class HttpDeadlines extends ChannelDuplexHandler {
  /** The name of this handler in the pipeline. */
  public static final String NAME = "courier-http-deadlines";
  /** The Vert.x pipeline handler it goes in front of (Vert.x 5 names its connection handler so). */
  static final String VERTX_HANDLER = "handler";

  private final long requestHeaderNanos;
  private final long idleNanos;
  /** Requests whose head came and whose response has not been written to its end. */
  private int unanswered;
  /** Whether the request last received is still sending its body. */
  private boolean readingBody;
  private ScheduledFuture<?> timer;

  private HttpDeadlines(Duration requestHeaderTimeout, Duration idleTimeout) {
    this.requestHeaderNanos = requestHeaderTimeout.toNanos();
    this.idleNanos = idleTimeout.toNanos();
  }

  /**
   * Adds the deadlines to a new HTTP connection's pipeline, before any byte was read; idempotent. Returns false
   * when the pipeline has no Vert.x handler to go in front of (then the connection has no deadlines).
   */
  public static boolean install(ChannelPipeline pipeline, Duration requestHeaderTimeout, Duration idleTimeout) {
    if (pipeline.get(NAME) != null) {
      return true;
    }
    if (pipeline.get(VERTX_HANDLER) == null) {
      return false;
    }
    pipeline.addBefore(VERTX_HANDLER, NAME, new HttpDeadlines(requestHeaderTimeout, idleTimeout));
    return true;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx, requestHeaderNanos);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel();
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest) {
      unanswered++;
      readingBody = true;
    }
    if (msg instanceof HttpContent && readingBody) {
      if (msg instanceof LastHttpContent) {
        readingBody = false;
        if (unanswered == 0) {
          // Answered before its body ended (a refusal): the wait for the next head starts now.
          arm(ctx, idleNanos);
        } else {
          // The server's turn; the wait for the next head starts when the response is written.
          cancel();
        }
      } else {
        arm(ctx, idleNanos);
      }
    } else if (msg instanceof HttpRequest) {
      arm(ctx, idleNanos);
    }
    super.channelRead(ctx, msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
    if (msg instanceof HttpResponse response && response.status().equals(HttpResponseStatus.SWITCHING_PROTOCOLS)) {
      super.write(ctx, msg, promise);
      // Upgraded: from here on the WebSocket's own liveness rules apply.
      ctx.pipeline().remove(this);
      return;
    }
    boolean interim = msg instanceof HttpResponse response
        && response.status().codeClass() == HttpStatusClass.INFORMATIONAL;
    if (msg instanceof LastHttpContent && !interim && unanswered > 0) {
      unanswered--;
      if (unanswered == 0 && !readingBody) {
        arm(ctx, idleNanos);
      }
    }
    super.write(ctx, msg, promise);
  }

  private void arm(ChannelHandlerContext ctx, long nanos) {
    cancel();
    timer = ctx.executor().schedule(() -> {
      timer = null;
      ctx.close();
    }, nanos, TimeUnit.NANOSECONDS);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }
}
