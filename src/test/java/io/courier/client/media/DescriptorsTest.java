package io.courier.client.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.client.CourierException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Reading the server's attachment answers (PROTOCOL.md §1) and deciding when their requests need renewing. */
class DescriptorsTest {

  static JsonObject answer(long size, long partSize, int parts) {
    JsonArray array = new JsonArray();
    for (int part = 1; part <= parts; part++) {
      array.add(new JsonObject().put("part", part).put("method", "POST").put("url", "http://store/bucket")
          .put("fields", new JsonObject().put("key", "id/" + part).put("policy", "p" + part)));
    }
    return new JsonObject().put("id", "R2x0c3k3b2xvZ0l0IHNl").put("size", size).put("partSize", partSize)
        .put("expiresIn", 300).put("parts", array);
  }

  @Test
  void anAnswerGivesEachPartItsRangeAndForm() {
    Descriptors descriptors = Descriptors.parse(answer(20_971_536, 8_388_608, 3));

    assertThat(descriptors.offset(3)).isEqualTo(16_777_216);
    assertThat(descriptors.length(1)).isEqualTo(8_388_608);
    assertThat(descriptors.length(3)).isEqualTo(4_194_320);
    assertThat(descriptors.part(2).fields()).containsEntry("key", "id/2").containsEntry("policy", "p2");
  }

  @Test
  void aPresignedPutKeepsTheHeadersToSendAndHasNoFields() {
    JsonObject answer = answer(100, 100, 1);
    answer.getJsonArray("parts").set(0, new JsonObject().put("part", 1).put("method", "PUT")
        .put("url", "http://store/bucket/up/id/1?X-Amz-Signature=s")
        .put("headers", new JsonObject().put("Content-Type", "application/octet-stream")));

    Descriptors.PartRequest put = Descriptors.parse(answer).part(1);

    assertThat(put.method()).isEqualTo("PUT");
    assertThat(put.headers()).containsExactly(java.util.Map.entry("Content-Type", "application/octet-stream"));
    assertThat(put.fields()).isEmpty();
  }

  @Test
  void anAnswerWithoutOneRequestPerPartIsRefused() {
    JsonObject reordered = answer(100, 40, 3);
    reordered.getJsonArray("parts").getJsonObject(0).put("part", 2);

    assertThatThrownBy(() -> Descriptors.parse(answer(100, 40, 2))).isInstanceOfSatisfying(CourierException.class,
        refused -> assertThat(refused.code()).isEqualTo(CourierException.MALFORMED_JSON));
    assertThatThrownBy(() -> Descriptors.parse(reordered)).isInstanceOf(CourierException.class);
    assertThatThrownBy(() -> Descriptors.parse(answer(100, 40, 3).put("size", "big")))
        .isInstanceOf(CourierException.class);
  }

  @Test
  void requestsAreRenewedTenSecondsBeforeTheyExpireOrAtThreeQuartersOfAShortLife() {
    Descriptors fiveMinutes = Descriptors.parse(answer(100, 100, 1));
    long start = fiveMinutes.receivedAt();
    Descriptors tenSeconds = new Descriptors("id", 100, 100, 10, fiveMinutes.parts(), start);

    assertThat(fiveMinutes.expiresWithin(10_000, start + 289_000_000_000L)).isFalse();
    assertThat(fiveMinutes.expiresWithin(10_000, start + 290_000_000_000L)).isTrue();
    assertThat(tenSeconds.expiresWithin(10_000, start + 7_000_000_000L)).isFalse();
    assertThat(tenSeconds.expiresWithin(10_000, start + 7_500_000_000L)).isTrue();
  }
}
