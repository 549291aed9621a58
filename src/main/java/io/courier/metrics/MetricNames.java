package io.courier.metrics;

/**
 * Metric names and tag names, so every meter carries the project prefix and one spelling. Prometheus shows
 * {@code courier.messages.sent} as {@code courier_messages_sent_total}.
 */
public final class MetricNames {
  /** Prefix of every meter of this server. */
  public static final String PREFIX = "courier.";
  /** Tag: an {@link io.courier.protocol.ErrorCode} name. */
  public static final String TAG_CODE = "code";
  /** Tag: a {@link io.courier.protocol.CloseReason} name, or {@code CLIENT} when the client closed. */
  public static final String TAG_REASON = "reason";
  /** Tag: a receipt kind. */
  public static final String TAG_KIND = "kind";

  private MetricNames() {}

  public static String name(String name) {
    return PREFIX + name;
  }
}
