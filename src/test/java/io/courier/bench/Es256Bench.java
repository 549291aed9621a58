package io.courier.bench;

import io.courier.auth.Es256Provider;
import io.courier.auth.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Microseconds per ES256 verification (one token-sized input, one key, the verifier re-initialised per token as
 * vertx-auth-jwt does) for JDK 17's SunEC, Bouncy Castle and BoringSSL (Conscrypt), the implementations
 * {@link Es256Provider} chooses between. Not a test: run it by hand, see {@code docs/BENCHMARKS.md}.
 *
 * <p>Arguments: {@code [verifies per round, default 2000] [rounds, default 5]}. Prints each round; the last rounds
 * are the warmed-up figures. Every verification must succeed, or it stops.
 */
public final class Es256Bench {
  private Es256Bench() {
  }

  public static void main(String[] args) throws GeneralSecurityException {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    KeyPair keys = SigningKeys.generate();
    byte[][] tokens = new byte[count][];
    byte[][] signatures = new byte[count][];
    Signature signer = Signature.getInstance("SHA256withECDSA", "SunEC");
    signer.initSign(keys.getPrivate());
    for (int i = 0; i < count; i++) {
      tokens[i] = ("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJiZW5jaC0" + i + "IiwiZGV2IjoxfQ").getBytes(StandardCharsets.US_ASCII);
      signer.update(tokens[i]);
      signatures[i] = signer.sign();
    }
    Map<String, Provider> providers = new LinkedHashMap<>();
    providers.put("SunEC (JDK 17)", Security.getProvider("SunEC"));
    providers.put(Es256Provider.BOUNCY_CASTLE, Es256Provider.bouncyCastle());
    if (Es256Provider.nativeAvailable()) {
      providers.put(Es256Provider.BORINGSSL, Es256Provider.boringSsl());
    } else {
      System.out.println(Es256Provider.BORINGSSL + ": native library not available here");
    }
    for (Map.Entry<String, Provider> provider : providers.entrySet()) {
      Signature verifier = Signature.getInstance("SHA256withECDSA", provider.getValue());
      int perRound = provider.getKey().startsWith("SunEC") ? Math.max(1, count / 10) : count;
      for (int round = 1; round <= rounds; round++) {
        long start = System.nanoTime();
        for (int i = 0; i < perRound; i++) {
          verifier.initVerify(keys.getPublic());
          verifier.update(tokens[i]);
          if (!verifier.verify(signatures[i])) {
            throw new IllegalStateException(provider.getKey() + " refused a valid signature");
          }
        }
        System.out.printf("%-22s round %d: %7.1f µs per verify (%d verifies)%n", provider.getKey(), round,
            (System.nanoTime() - start) / 1000.0 / perRound, perRound);
      }
    }
  }
}
