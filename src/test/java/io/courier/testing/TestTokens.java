package io.courier.testing;

import io.courier.auth.SigningKeys;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hand-made JWTs for handshake tests, signed with the JDK so the server's library is tested against an
 * independent encoder: well-formed, expired, unsigned ({@code alg: none}), foreign-signed, or HS256 with the
 * public key as the secret (the key-confusion attack).
 */
public final class TestTokens {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final KeyPair keys;
  private final Path privateFile;
  private final Path publicFile;

  private TestTokens(KeyPair keys, Path privateFile, Path publicFile) {
    this.keys = keys;
    this.privateFile = privateFile;
    this.publicFile = publicFile;
  }

  /** A fresh ES256 key pair written as PEM files the server can be configured with. */
  public static TestTokens generate() {
    try {
      KeyPair keys = SigningKeys.generate();
      Path dir = Files.createTempDirectory("courier-keys-");
      Path privateFile = dir.resolve("private.pem");
      Path publicFile = dir.resolve("public.pem");
      Files.writeString(privateFile, SigningKeys.pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
      Files.writeString(publicFile, SigningKeys.pem("PUBLIC KEY", keys.getPublic().getEncoded()));
      return new TestTokens(keys, privateFile, publicFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Overrides that make a server sign and verify with these keys. */
  public String[] serverOverrides() {
    return new String[] {"auth.privateKeyPem=file:" + privateFile, "auth.publicKeyPem=file:" + publicFile};
  }

  /** Claims of a valid token for the default test server (issuer {@code courier}, audience {@code courier-clients}). */
  public static JsonObject claims(String account, int device, long expiresAtSeconds) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", "courier").put("aud", "courier-clients").put("sub", account)
        .put("dev", device).put("iat", Math.min(now, expiresAtSeconds - 60)).put("exp", expiresAtSeconds);
  }

  public String es256(JsonObject claims) {
    return es256(claims, keys.getPrivate());
  }

  public static String es256(JsonObject claims, PrivateKey key) {
    String signingInput = encode(new JsonObject().put("alg", "ES256").put("typ", "JWT")) + "." + encode(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** RS256 with a key id, as an external identity provider signs. */
  public static String rs256(JsonObject claims, PrivateKey key, String kid) {
    String signingInput = encode(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid)) + "."
        + encode(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(key);
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code alg: none} with an empty signature. */
  public static String unsigned(JsonObject claims) {
    return encode(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + encode(claims) + ".";
  }

  /** HS256 keyed with the server's public key PEM: accepted only by a library that confuses key types. */
  public String hs256WithPublicKey(JsonObject claims) {
    try {
      String signingInput = encode(new JsonObject().put("alg", "HS256").put("typ", "JWT")) + "." + encode(claims);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(Files.readAllBytes(publicFile), "HmacSHA256"));
      return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String encode(JsonObject json) {
    return B64.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }
}
