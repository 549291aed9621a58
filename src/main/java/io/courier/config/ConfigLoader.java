package io.courier.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads a YAML file into a {@link CourierConfig}: {@code ${NAME}} and {@code ${NAME:-default}} are replaced
 * from the environment, the YAML is laid over {@link CourierConfig#defaults()} (so a file names only what it
 * changes), {@code --set key.path=value} overrides come last, and {@link ConfigValidator} checks the result.
 * Every problem is collected and thrown together in one {@link ConfigException}.
 */
public final class ConfigLoader {
  private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      // A `--set key=value` into a list that the defaults do not have yet arrives as one string.
      .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);

  private final Map<String, String> environment;

  public ConfigLoader(Map<String, String> environment) {
    this.environment = environment;
  }

  /** Loads, overrides and validates; throws {@link ConfigException} listing every problem. */
  public CourierConfig load(Path file, List<String> overrides) {
    List<String> problems = new ArrayList<>();
    String yaml = read(file, problems);
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return load(file.toString(), yaml, overrides);
  }

  /** The same for YAML text, {@code source} naming it in problems. */
  public CourierConfig load(String source, String yaml, List<String> overrides) {
    List<String> problems = new ArrayList<>();
    CourierConfig config = parse(source, yaml, overrides, problems);
    if (config != null) {
      problems.addAll(ConfigValidator.validate(config));
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return config;
  }

  private static String read(Path file, List<String> problems) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      problems.add(file + ": cannot read (" + e + ")");
      return null;
    }
  }

  private CourierConfig parse(String file, String yaml, List<String> overrides, List<String> problems) {
    try {
      ObjectNode tree = (ObjectNode) MAPPER.valueToTree(CourierConfig.defaults());
      JsonNode fromFile = MAPPER.readTree(substituteEnvironment(yaml, problems));
      if (fromFile != null && !fromFile.isMissingNode() && !fromFile.isNull()) {
        if (!fromFile.isObject()) {
          problems.add(file + ": the top level must be a mapping");
          return null;
        }
        merge(tree, (ObjectNode) fromFile);
      }
      for (String override : overrides) {
        applyOverride(tree, override, problems);
      }
      return problems.isEmpty() ? MAPPER.treeToValue(tree, CourierConfig.class) : null;
    } catch (UnrecognizedPropertyException e) {
      problems.add(file + ": unknown key '" + e.getPropertyName() + "' at " + path(e));
    } catch (JsonProcessingException e) {
      problems.add(file + ": " + e.getOriginalMessage() + " at " + path(e));
    }
    return null;
  }

  private String substituteEnvironment(String yaml, List<String> problems) {
    Matcher m = ENV_REFERENCE.matcher(yaml);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = environment.get(m.group(1));
      if (value == null) {
        value = m.group(3);
      }
      if (value == null) {
        problems.add("environment variable " + m.group(1) + " is not set and has no default");
        value = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Lays {@code source} over {@code target}: mappings merge key by key, anything else replaces. */
  private static void merge(ObjectNode target, ObjectNode source) {
    source.fields().forEachRemaining(field -> {
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode sourceObject) {
        merge(existingObject, sourceObject);
      } else {
        target.set(field.getKey(), field.getValue());
      }
    });
  }

  /** {@code a.b.c=value}; a list takes comma-separated values. */
  private static void applyOverride(ObjectNode tree, String override, List<String> problems) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      problems.add("override '" + override + "' is not key.path=value");
      return;
    }
    // -1 keeps empty segments, so "..=x" or "a..b=x" is refused here instead of indexing an empty path.
    String[] path = override.substring(0, eq).split("\\.", -1);
    if (java.util.Arrays.stream(path).anyMatch(String::isEmpty)) {
      problems.add("override '" + override + "' is not key.path=value (an empty key in the path)");
      return;
    }
    String value = override.substring(eq + 1);
    ObjectNode node = tree;
    for (int i = 0; i < path.length - 1; i++) {
      JsonNode child = node.get(path[i]);
      if (child == null || child.isNull()) {
        child = node.putObject(path[i]);
      }
      if (!(child instanceof ObjectNode)) {
        problems.add("override '" + override + "': '" + path[i] + "' is not a section");
        return;
      }
      node = (ObjectNode) child;
    }
    String leaf = path[path.length - 1];
    if (node.get(leaf) instanceof ArrayNode) {
      ArrayNode list = node.putArray(leaf);
      for (String item : value.split(",")) {
        if (!item.isBlank()) {
          list.add(item.trim());
        }
      }
    } else {
      node.put(leaf, value);
    }
  }

  private static String path(JsonProcessingException e) {
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
      StringBuilder sb = new StringBuilder();
      for (var ref : m.getPath()) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]");
      }
      return sb.length() == 0 ? "top level" : sb.toString();
    }
    return "line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr());
  }
}
