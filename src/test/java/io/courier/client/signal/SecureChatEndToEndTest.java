package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.client.Session;
import io.courier.testing.Poll;
import io.courier.testing.RespConnection;
import io.courier.testing.ServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Alice and Bob with two Devices each (the second ones linked) chat through the real server: every message reaches
 * every Device of both Accounts once, decrypted, and Redis never holds a plaintext.
 */
class SecureChatEndToEndTest {

  @RegisterExtension
  static final ServerExtension SERVER = new ServerExtension();

  @TempDir
  Path root;

  static final String M1 = "Hi Bob, it's Alice on her phone";
  static final String M2 = "Hello Alice, Bob here";
  static final String M3 = "And this is Alice's tablet";
  static final String M4 = "Bob's tablet says hi too";

  @Test
  void fourDevicesChatAndEachShowsEveryMessageOnceWhileRedisHoldsNoPlaintext() {
    Session aliceSession = SERVER.accounts().register("alice");
    Session bobSession = SERVER.accounts().register("bob");
    Phone alicePhone = Phone.open(SERVER, aliceSession, root.resolve("alice-phone"));
    Phone bobPhone = Phone.open(SERVER, bobSession, root.resolve("bob-phone"));
    Phone aliceTablet = Phone.open(SERVER, Phone.link(SERVER, alicePhone, root.resolve("alice-tablet")),
        root.resolve("alice-tablet"));
    // Bob's tablet is linked (its keys are in the directory) but stays offline until later
    Session bobTabletSession = Phone.link(SERVER, bobPhone, root.resolve("bob-tablet"));
    String alice = aliceSession.account();
    String bob = bobSession.account();
    Phone bobTablet = null;
    try {
      assertThat(aliceTablet.messenger.identityKey()).as("a linked device shares the identity")
          .isEqualTo(alicePhone.messenger.identityKey());
      assertThat(FileSignalStore.open(FileSignalStore.deviceDir(root.resolve("bob-tablet"), bob,
          bobTabletSession.device())).getIdentityKeyPair().getPublicKey()).isEqualTo(bobPhone.messenger.identityKey());

      String m1 = alicePhone.send(bob, M1);
      Poll.until(Phone.WAIT, () -> bobPhone.messages.size() == 1 && aliceTablet.messages.size() == 1,
          () -> "m1 on Bob's phone and Alice's tablet: " + bobPhone.shown() + " " + aliceTablet.shown());
      String m2 = bobPhone.send(alice, M2);
      Poll.until(Phone.WAIT, () -> alicePhone.messages.size() == 1 && aliceTablet.messages.size() == 2,
          () -> "m2 on Alice's devices: " + alicePhone.shown() + " " + aliceTablet.shown());
      String m3 = aliceTablet.send(bob, M3);
      Poll.until(Phone.WAIT, () -> bobPhone.messages.size() == 2 && alicePhone.messages.size() == 2,
          () -> "m3 on Bob's phone and Alice's phone: " + bobPhone.shown() + " " + alicePhone.shown());

      // everything for Bob's tablet waits in its mailbox: m1, the sync copy of m2, m3 (and the receipts of m2)
      assertThat(SERVER.mailboxLength(bobTabletSession)).isGreaterThanOrEqualTo(3);
      List<String> storedWhileWaiting = everythingInRedis();
      assertThat(String.join("\n", storedWhileWaiting)).as("the scan sees the stored messages").contains(m1, m2, m3);
      assertNoPlaintext(storedWhileWaiting);

      bobTablet = Phone.open(SERVER, bobTabletSession, root.resolve("bob-tablet"));
      Phone tablet = bobTablet;
      Poll.until(Phone.WAIT, () -> tablet.messages.size() == 3, () -> "Bob's tablet caught up: " + tablet.shown());
      String m4 = bobTablet.send(alice, M4);
      Poll.until(Phone.WAIT, () -> alicePhone.messages.size() == 3 && aliceTablet.messages.size() == 3
          && bobPhone.messages.size() == 3, () -> "m4 everywhere");

      assertThat(alicePhone.shown()).containsExactly(bob + " -> me: " + M2, alice + " -> " + bob + ": " + M3,
          bob + " -> me: " + M4);
      assertThat(alicePhone.ids()).containsExactly(m2, m3, m4);
      assertThat(aliceTablet.shown()).containsExactly(alice + " -> " + bob + ": " + M1, bob + " -> me: " + M2,
          bob + " -> me: " + M4);
      assertThat(aliceTablet.ids()).containsExactly(m1, m2, m4);
      assertThat(bobPhone.shown()).containsExactly(alice + " -> me: " + M1, alice + " -> me: " + M3,
          bob + " -> " + alice + ": " + M4);
      assertThat(bobPhone.ids()).containsExactly(m1, m3, m4);
      assertThat(bobTablet.shown()).containsExactly(alice + " -> me: " + M1, bob + " -> " + alice + ": " + M2,
          alice + " -> me: " + M3);
      assertThat(bobTablet.ids()).containsExactly(m1, m2, m3);
      assertThat(List.of(alicePhone, aliceTablet, bobPhone, bobTablet))
          .allSatisfy(phone -> assertThat(phone.undecryptable).isEmpty())
          .allSatisfy(phone -> assertThat(phone.identityChanges).isEmpty());
      assertThat(alicePhone.messages.get(1).fromDevice()).isEqualTo(aliceTablet.device());

      String safetyNumber = alicePhone.messenger.safetyNumber(bob);
      assertThat(safetyNumber).matches("(\\d{5} ){11}\\d{5}");
      assertThat(List.of(aliceTablet.messenger.safetyNumber(bob), bobPhone.messenger.safetyNumber(alice),
          bobTablet.messenger.safetyNumber(alice))).containsOnly(safetyNumber);

      List<Session> sessions = List.of(aliceSession, bobSession, aliceTablet.session, bobTabletSession);
      Poll.until(Phone.WAIT, () -> sessions.stream().allMatch(session -> SERVER.mailboxLength(session) == 0),
          () -> "every message and receipt acked");
      assertNoPlaintext(everythingInRedis());
    } finally {
      for (Phone phone : new Phone[] {alicePhone, aliceTablet, bobPhone, bobTablet}) {
        if (phone != null) {
          phone.close();
        }
      }
    }
  }

  /** Every key name and every value in Redis: strings, hashes, lists, sets, sorted sets and streams. */
  @SuppressWarnings("unchecked")
  static List<String> everythingInRedis() {
    List<String> values = new ArrayList<>();
    try (RespConnection redis = SERVER.redis().connect()) {
      for (Object key : (List<Object>) redis.call("KEYS", "*")) {
        String name = (String) key;
        values.add(name);
        Object content = switch ((String) redis.call("TYPE", name)) {
          case "string" -> redis.call("GET", name);
          case "hash" -> redis.call("HGETALL", name);
          case "list" -> redis.call("LRANGE", name, "0", "-1");
          case "set" -> redis.call("SMEMBERS", name);
          case "zset" -> redis.call("ZRANGE", name, "0", "-1", "WITHSCORES");
          case "stream" -> redis.call("XRANGE", name, "-", "+");
          default -> "";
        };
        flatten(content, values);
      }
    }
    return values;
  }

  private static void flatten(Object content, List<String> into) {
    if (content instanceof List<?> items) {
      items.forEach(item -> flatten(item, into));
    } else if (content != null) {
      into.add(content.toString());
    }
  }

  private static final Pattern BASE64 = Pattern.compile("[A-Za-z0-9+/]{16,}={0,2}");

  /** No message text appears in any value, raw or inside anything base64-encoded. */
  static void assertNoPlaintext(List<String> stored) {
    for (String text : List.of(M1, M2, M3, M4)) {
      String marker = text.substring(0, 12);
      for (String value : stored) {
        assertThat(value).doesNotContain(marker);
        Matcher tokens = BASE64.matcher(value);
        while (tokens.find()) {
          String decoded = decodedOrEmpty(tokens.group());
          assertThat(decoded).as("base64 in Redis").doesNotContain(marker);
        }
      }
    }
  }

  private static String decodedOrEmpty(String token) {
    try {
      return new String(Base64.getDecoder().decode(token), StandardCharsets.ISO_8859_1);
    } catch (IllegalArgumentException notBase64) {
      return "";
    }
  }
}
