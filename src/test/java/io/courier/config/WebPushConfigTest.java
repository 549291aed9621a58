package io.courier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code push.webPush.*} rules of {@link PushConfigValidator}. */
class WebPushConfigTest {
  static List<String> problems(String... overrides) {
    List<String> all = new ArrayList<>(List.of("redis.url=redis://127.0.0.1:1"));
    all.addAll(List.of(overrides));
    ConfigException e = catchThrowableOfType(ConfigException.class,
        () -> new ConfigLoader(Map.of()).load(Path.of("config/courier.yaml"), all));
    return e == null ? List.of() : e.problems();
  }

  @Test
  void theSubjectMustBeAMailtoOrHttpsContact() {
    assertThat(problems("push.webPush.subject=admin@example.com"))
        .anyMatch(p -> p.startsWith("push.webPush.subject: must be a mailto: or https: URI"));
    assertThat(problems("push.webPush.subject=https://courier.example/contact")).isEmpty();
  }

  @Test
  void vapidKeysAreBothSetOrNeitherAndOnlyAsReferences() {
    assertThat(problems("push.webPush.vapidPrivateKey=file:/etc/courier/vapid.pem"))
        .anyMatch(p -> p.startsWith("push.webPush.vapidPublicKey, push.webPush.vapidPrivateKey: set both"));
    assertThat(problems("push.webPush.vapidPrivateKey=-----BEGIN PRIVATE KEY-----",
        "push.webPush.vapidPublicKey=env:VAPID_PUBLIC"))
        .anyMatch(p -> p.startsWith("push.webPush.vapidPrivateKey: must be a reference"));
    assertThat(problems("push.webPush.vapidPrivateKey=file:/etc/courier/vapid.pem",
        "push.webPush.vapidPublicKey=env:VAPID_PUBLIC")).isEmpty();
  }
}
