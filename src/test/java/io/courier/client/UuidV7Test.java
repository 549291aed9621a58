package io.courier.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UuidV7Test {

  private static final long NOW = 1_764_291_600_123L;

  @Test
  void uuidV7IdsHaveVersion7AndRfcVariant() {
    for (int i = 0; i < 1_000; i++) {
      UUID id = UUID.fromString(UuidV7.next());

      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
    }
  }

  @Test
  void uuidV7IdsAreCanonicalAndValidRequestIds() {
    assertThat(UuidV7.next()).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  }

  @Test
  void uuidV7IdsCarryTheClockInTheirFirst48Bits() {
    UUID id = new UuidV7(() -> NOW).generate();

    assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(NOW);
  }

  @Test
  void uuidV7IdsIncreaseWithinOneMillisecond() {
    assertStrictlyIncreasing(generate(new UuidV7(() -> NOW), 5_000));
  }

  @Test
  void uuidV7IdsKeepIncreasingWhenTheClockGoesBack() {
    AtomicLong clock = new AtomicLong(NOW);
    UuidV7 generator = new UuidV7(clock::get);
    List<String> ids = new ArrayList<>(generate(generator, 10));
    clock.set(NOW - 5_000);
    ids.addAll(generate(generator, 10));

    assertStrictlyIncreasing(ids);
  }

  @Test
  void uuidV7IdsFollowTheClockAcrossMilliseconds() {
    AtomicLong clock = new AtomicLong(NOW);
    UuidV7 generator = new UuidV7(clock::getAndIncrement);

    assertStrictlyIncreasing(generate(generator, 1_000));
  }

  @Test
  void uuidV7IdsFromTheSharedGeneratorAreTimeOrdered() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(UuidV7.next());
    }

    assertStrictlyIncreasing(ids);
  }

  private static List<String> generate(UuidV7 generator, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(generator.generate().toString());
    }
    return ids;
  }

  /** String order is what the server and logs see; UUID.compareTo compares signed longs, so it is not used. */
  private static void assertStrictlyIncreasing(List<String> ids) {
    for (int i = 1; i < ids.size(); i++) {
      assertThat(ids.get(i)).as("id %d", i).isGreaterThan(ids.get(i - 1));
    }
  }
}
