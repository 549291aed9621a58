package io.courier.push;

import io.courier.config.PushConfig;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Map;

/** The senders of the kinds {@code push.*} enables, by kind ({@link PushSender#kind()}), for a node's worker. */
public final class PushSenders {
  private PushSenders() {}

  /**
   * @param vapid the server's VAPID key pair; needed (not null) when Web Push is enabled
   */
  public static Map<String, PushSender> fromConfig(Vertx vertx, PushConfig push, Map<String, String> environment,
      VapidKeyPair vapid) {
    Map<String, PushSender> senders = new HashMap<>();
    if (push.apns().enabled()) {
      senders.put("apns", ApnsSender.create(vertx, push, environment));
    }
    if (push.fcm().enabled()) {
      senders.put("fcm", FcmSender.create(vertx, push, environment));
    }
    if (push.webPush().enabled()) {
      senders.put("webpush", new WebPushSender(vertx, push, vapid));
    }
    return Map.copyOf(senders);
  }
}
