package io.courier.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/CONFIG.md lists every configuration key, so operators never meet an undocumented one. */
class ConfigDocTest {

  @Test
  void everyKeyOfTheDefaultsHasARowInConfigMd() throws IOException {
    String doc = Files.readString(Path.of("docs/CONFIG.md"));
    JsonNode tree = new ObjectMapper().registerModule(new JavaTimeModule()).valueToTree(CourierConfig.defaults());
    List<String> keys = new ArrayList<>();
    collect(tree, "", keys);
    assertThat(keys).hasSizeGreaterThan(25);
    for (String key : keys) {
      assertThat(doc).as("docs/CONFIG.md documents " + key).contains("| `" + key + "` |");
    }
  }

  private static void collect(JsonNode node, String prefix, List<String> keys) {
    node.fields().forEachRemaining(field -> {
      String key = prefix + field.getKey();
      if (field.getValue().isObject()) {
        collect(field.getValue(), key + ".", keys);
      } else {
        keys.add(key);
      }
    });
  }
}
