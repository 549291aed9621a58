package io.courier.auth;

import io.courier.config.CourierConfig.AuthConfig;
import io.courier.config.DataFolder;
import io.courier.config.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ES256 key pair that signs access tokens, as PEM text: from the config's secret references, or, when
 * none are configured, development keys generated once into {@code <dataDir>/keys} and reused after.
 *
 * @param privatePem PKCS#8 PEM of the P-256 private key
 * @param publicPem  X.509 PEM of the public key
 */
public record SigningKeys(String privatePem, String publicPem) {
  private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

  public static SigningKeys load(AuthConfig auth, Path dataDir, Map<String, String> environment) {
    if (!auth.privateKeyPem().isBlank()) {
      return new SigningKeys(Secrets.resolve(auth.privateKeyPem(), environment),
          Secrets.resolve(auth.publicKeyPem(), environment));
    }
    return development(dataDir.resolve("keys"), "jwt", "auth.privateKeyPem");
  }

  /**
   * A P-256 pair for development in {@code dir} ({@code <name>-private.pem}, owner-only, and
   * {@code <name>-public.pem}): made at the first start, then read; also the VAPID keys' (push).
   *
   * @param setting the setting that replaces them in production, for the warning
   */
  public static SigningKeys development(Path dir, String name, String setting) {
    Path privateFile = dir.resolve(name + "-private.pem");
    Path publicFile = dir.resolve(name + "-public.pem");
    try {
      DataFolder.prepare(dir);
      if (!Files.exists(privateFile)) {
        KeyPair pair = generate();
        Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        // Written last: its presence means the pair is complete.
        DataFolder.writeSecret(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        log.atWarn().addKeyValue("dir", dir.toAbsolutePath())
            .log("generated development " + name + " keys; configure " + setting + " for production");
      }
      // Keys written by versions before 2026-12-08 were world-readable (0644).
      DataFolder.tighten(privateFile);
      return new SigningKeys(Files.readString(privateFile), Files.readString(publicFile));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write development keys in " + dir, e);
    }
  }

  /** A fresh P-256 key pair (also used by tests to play a foreign signer). */
  public static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
