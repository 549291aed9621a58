package io.courier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The push.apns and push.fcm rules of PushConfigValidator, on the embedded default plus overrides. */
class PushProvidersConfigTest {
  static CourierConfig load(String... overrides) {
    return new ConfigLoader(Map.of()).load("test", "{}", List.of(overrides));
  }

  static List<String> problems(String... overrides) {
    try {
      load(overrides);
      return List.of();
    } catch (ConfigException e) {
      return e.problems();
    }
  }

  @Test
  void providersAreOffByDefaultAndNeedNothingThen() {
    CourierConfig config = load();

    assertThat(config.push().apns().enabled()).isFalse();
    assertThat(config.push().fcm().enabled()).isFalse();
  }

  @Test
  void anEnabledApnsNeedsAKeyReferenceAndApplesTenCharacterIds() {
    assertThat(problems("push.apns.enabled=true"))
        .anyMatch(p -> p.startsWith("push.apns.signingKey: must not be empty"))
        .anyMatch(p -> p.startsWith("push.apns.keyId: must be 10"))
        .anyMatch(p -> p.startsWith("push.apns.teamId: must be 10"));
    assertThat(problems("push.apns.enabled=true", "push.apns.signingKey=-----BEGIN PRIVATE KEY-----",
        "push.apns.keyId=ABC", "push.apns.teamId=TEAMID1234"))
        .anyMatch(p -> p.startsWith("push.apns.signingKey: must be a reference"))
        .anyMatch(p -> p.startsWith("push.apns.keyId: must be 10"))
        .noneMatch(p -> p.startsWith("push.apns.teamId"));
    assertThat(problems("push.apns.enabled=true", "push.apns.signingKey=env:APNS_KEY", "push.apns.keyId=KEYID12345",
        "push.apns.teamId=TEAMID1234")).isEmpty();
  }

  @Test
  void anEnabledFcmNeedsAServiceAccountReferenceAndHttpUrls() {
    assertThat(problems("push.fcm.enabled=true"))
        .anyMatch(p -> p.startsWith("push.fcm.serviceAccount: must not be empty"));
    assertThat(problems("push.fcm.enabled=true", "push.fcm.serviceAccount={\"type\":\"service_account\"}",
        "push.fcm.baseUrl=ftp://fcm.example", "push.fcm.tokenUrl=https://oauth.example/token?x=1",
        "push.fcm.projectId=a/b"))
        .anyMatch(p -> p.startsWith("push.fcm.serviceAccount: must be a reference"))
        .anyMatch(p -> p.startsWith("push.fcm.baseUrl: 'ftp://fcm.example' is not an http(s) URL"))
        .anyMatch(p -> p.startsWith("push.fcm.tokenUrl:"))
        .anyMatch(p -> p.startsWith("push.fcm.projectId:"));
    assertThat(problems("push.fcm.enabled=true", "push.fcm.serviceAccount=file:/etc/courier/fcm.json",
        "push.fcm.projectId=courier-test", "push.fcm.tokenUrl=http://127.0.0.1:9/token")).isEmpty();
  }
}
