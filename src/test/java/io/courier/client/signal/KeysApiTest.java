package io.courier.client.signal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.signal.libsignal.protocol.IdentityKeyPair;

class KeysApiTest {

  @TempDir
  Path root;

  @Test
  void aFullUploadIsSplitIntoBodiesBelowTheServerLimitKeepingEveryKey() {
    FileSignalStore store = FileSignalStore.create(root.resolve("a"), "alice", 1, IdentityKeyPair.generate(), 7);
    DeviceKeys.FirstUpload upload = DeviceKeys.generateFirstUpload(store);
    JsonObject first = new JsonObject().put("identityKey", "x").put("registrationId", 7)
        .put("signedPreKey", KeysApi.signedPreKeyJson(upload.signedPreKey()))
        .put("lastResortKyberPreKey", KeysApi.kyberPreKeyJson(upload.lastResort()));

    List<JsonObject> bodies = KeysApi.split(first, upload.preKeys(), upload.kyberPreKeys());

    assertThat(bodies.size()).isGreaterThan(1);
    assertThat(bodies.get(0).containsKey("signedPreKey")).isTrue();
    assertThat(bodies.subList(1, bodies.size())).allSatisfy(body -> assertThat(body.containsKey("signedPreKey"))
        .isFalse());
    assertThat(bodies).allSatisfy(body -> assertThat(body.encode().getBytes(StandardCharsets.UTF_8).length)
        .isLessThanOrEqualTo(KeysApi.MAX_BODY_BYTES));
    assertThat(bodies.stream().mapToInt(body -> body.getJsonArray("preKeys", new io.vertx.core.json.JsonArray())
        .size()).sum()).isEqualTo(DeviceKeys.BATCH);
    assertThat(bodies.stream().mapToInt(body -> body.getJsonArray("kyberPreKeys",
        new io.vertx.core.json.JsonArray()).size()).sum()).isEqualTo(DeviceKeys.BATCH);
  }

  @Test
  void aSmallUploadIsOneBody() {
    assertThat(KeysApi.split(new JsonObject(), List.of(), List.of())).containsExactly(new JsonObject());
  }
}
