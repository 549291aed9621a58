package io.courier.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.List;
import java.util.Map;

/**
 * Any YAML text, with any {@code key.path=value} overrides, either loads into a configuration that
 * {@link ConfigValidator} finds nothing wrong with, or is refused with a {@link ConfigException} that lists at
 * least one problem; never another exception. Corpus:
 * {@code src/test/resources/io/courier/config/ConfigLoaderFuzzTestInputs/loadYaml/}.
 */
class ConfigLoaderFuzzTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of("COURIER_PORT", "8080"));

  @FuzzTest(maxDuration = "10s")
  void loadYaml(FuzzedDataProvider data) {
    List<String> overrides = data.consumeBoolean() ? List.of(data.consumeString(64)) : List.of();
    String yaml = data.consumeRemainingAsString();
    CourierConfig config;
    try {
      config = loader.load("fuzz.yaml", yaml, overrides);
    } catch (ConfigException e) {
      assertThat(e.problems()).isNotEmpty();
      return;
    }
    assertThat(ConfigValidator.validate(config)).isEmpty();
  }
}
