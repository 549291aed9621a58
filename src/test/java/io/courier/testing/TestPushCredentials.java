package io.courier.testing;

import io.courier.auth.SigningKeys;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Well-formed APNs and FCM credentials in temporary files, for servers that enable those kinds without sending to
 * them (registration tests): a P-256 {@code .p8} key and a service-account key file with a fresh RSA key. They
 * sign for nobody's account; the senders built from them connect only when a wake-up is sent.
 */
public final class TestPushCredentials {
  private TestPushCredentials() {}

  /** {@code overrides} plus the credential settings of APNs and FCM. */
  public static String[] with(String... overrides) {
    try {
      Path dir = Files.createTempDirectory("courier-push-credentials-");
      Path p8 = dir.resolve("apns.p8");
      Files.writeString(p8, SigningKeys.pem("PRIVATE KEY", SigningKeys.generate().getPrivate().getEncoded()));
      KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
      rsa.initialize(2048);
      Path account = dir.resolve("fcm-service-account.json");
      Files.writeString(account, new JsonObject().put("type", "service_account").put("project_id", "courier-test")
          .put("private_key_id", "0123456789abcdef").put("client_email", "push@courier-test.iam.gserviceaccount.com")
          .put("client_id", "1234567890")
          .put("private_key", SigningKeys.pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()))
          .put("token_uri", "http://127.0.0.1:1/token").encode());
      List<String> all = new ArrayList<>(Arrays.asList(overrides));
      all.addAll(List.of("push.apns.signingKey=file:" + p8, "push.apns.keyId=ABCDE12345",
          "push.apns.teamId=TEAM123456", "push.fcm.serviceAccount=file:" + account));
      return all.toArray(String[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
