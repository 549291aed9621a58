package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.cli.CourierCli;
import io.courier.client.CourierException;
import io.courier.client.PushApi;
import io.courier.client.Session;
import io.courier.push.PushTestKeys;
import io.courier.testing.ServerExtension;
import io.courier.testing.TestPushCredentials;
import io.courier.testing.TestAccounts;
import io.courier.testing.TestIds;
import io.courier.testing.WireClient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The reference client's push calls: the SDK's {@link PushApi} and the CLI's push-register and push-remove. */
class SdkPushTest {
  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension(TestPushCredentials.with("push.enabled=true",
      "push.fcm.enabled=true", "push.webPush.enabled=true"));

  @Test
  void theSdkRegistersShowsAndRemovesATarget() {
    Session phone = SERVER.accounts().register("sdkpush");
    PushApi push = new PushApi(SERVER.vertx(), URI.create(SERVER.baseUri()));
    try {
      assertThat(WireClient.await(push.kind(phone.accessToken()))).isNull();
      WireClient.await(push.registerFcm(phone.accessToken(), PushRegistrationTest.fcmToken()));
      assertThat(WireClient.await(push.kind(phone.accessToken()))).isEqualTo("fcm");
      WireClient.await(push.registerWebPush(phone.accessToken(), PushRegistrationTest.PUBLIC_ENDPOINT + "sdk",
          PushTestKeys.p256dh(), PushTestKeys.auth()));
      assertThat(WireClient.await(push.kind(phone.accessToken()))).isEqualTo("webpush");
      assertThat(WireClient.await(push.vapidKey())).hasSize(87);

      assertThatThrownBy(() -> WireClient.await(push.registerApns(phone.accessToken(), "ab".repeat(32),
          "chat.courier.app", false)))
          .isInstanceOfSatisfying(CourierException.class, e -> assertThat(e.code()).isEqualTo("PUSH_KIND_DISABLED"));
      assertThatThrownBy(() -> WireClient.await(push.registerWebPush(phone.accessToken(),
          "https://127.0.0.1/push", PushTestKeys.p256dh(), PushTestKeys.auth())))
          .isInstanceOfSatisfying(CourierException.class,
              e -> assertThat(e.code()).isEqualTo("FORBIDDEN_PUSH_TARGET"));
      assertThat(WireClient.await(push.kind(phone.accessToken()))).isEqualTo("webpush");

      WireClient.await(push.remove(phone.accessToken()));
      assertThat(WireClient.await(push.kind(phone.accessToken()))).isNull();
    } finally {
      push.close();
    }
  }

  @Test
  void theCliRegistersAndRemovesAWebPushEndpoint() throws Exception {
    Path home = Files.createTempDirectory("courier-cli-push-");
    String name = TestIds.unique("clipush");
    assertThat(cli(home, "register", name, "--password", TestAccounts.PASSWORD)).contains("registered " + name);

    String out = cli(home, "push-register", name, "--webpush-endpoint", PushRegistrationTest.PUBLIC_ENDPOINT + "cli",
        "--p256dh", PushTestKeys.p256dh(), "--auth", PushTestKeys.auth());
    assertThat(out).contains("registered a Web Push target for " + name);
    assertThat(SERVER.redis().command("HGET", "pushtarget:{u:" + name + "}:1", "endpoint"))
        .isEqualTo(PushRegistrationTest.PUBLIC_ENDPOINT + "cli");

    assertThat(cli(home, "push-register", name, "--webpush-endpoint", "https://10.0.0.1/x", "--p256dh",
        PushTestKeys.p256dh(), "--auth", PushTestKeys.auth())).contains("FORBIDDEN_PUSH_TARGET")
        .doesNotContain("registered a Web Push");

    assertThat(cli(home, "push-remove", name)).contains("removed the push target of " + name);
    assertThat(SERVER.redis().command("EXISTS", "pushtarget:{u:" + name + "}:1")).isEqualTo(0L);
  }

  private static String cli(Path home, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String[] all = new String[args.length + 4];
    all[0] = "--server";
    all[1] = SERVER.baseUri();
    all[2] = "--home";
    all[3] = home.toString();
    System.arraycopy(args, 0, all, 4, args.length);
    CourierCli.run(all, new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8);
  }
}
