package io.courier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.courier.bench.ConnectionBench;
import io.courier.testing.HaproxyProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of {@code docker/} checked with what runs on a machine without a Docker engine: HAProxy parses its
 * config ({@code haproxy -c}), the compose file and the node config are read as YAML and checked against each
 * other (services, published ports, secrets, addresses, health checks), and the Dockerfile's instructions are read
 * and checked against the pom. {@code docker compose config} runs only where the compose plugin is installed.
 */
class DockerFilesTest {
  static final Path DOCKER = Path.of("docker");
  static final Path COMPOSE = DOCKER.resolve("compose.yaml");
  static final Path HAPROXY_CFG = DOCKER.resolve("haproxy.cfg");
  static final Path NODE_CONFIG = DOCKER.resolve("config/cluster-node.yaml");
  static final Path DOCKERFILE = DOCKER.resolve("Dockerfile");
  static final List<String> NODES = List.of("courier-1", "courier-2", "courier-3");
  static final Pattern SECRET_FILE = Pattern.compile("file:/run/secrets/([A-Za-z0-9_.-]+)");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  // ------------------------------------------------------------------------------------------ haproxy.cfg

  @Test
  void haproxyAcceptsTheConfigWithTheComposeDefaults() {
    assumeTrue(HaproxyProcess.find().isPresent(), "no haproxy binary (Debian package 'haproxy')");
    HaproxyProcess.CheckResult result = HaproxyProcess.check(HAPROXY_CFG, Map.of());
    assertThat(result.exitCode()).as(result.output()).isZero();
    // The only warnings: the compose names (courier-1 ...) do not resolve outside the compose network.
    assertThat(result.output().lines().filter(l -> l.contains("[WARNING]")))
        .allMatch(l -> l.contains("could not resolve address"));
  }

  @Test
  void haproxyAcceptsTheConfigWithLoopbackAddressesWithoutAnyWarning() {
    assumeTrue(HaproxyProcess.find().isPresent(), "no haproxy binary (Debian package 'haproxy')");
    Map<String, String> env = Map.of("COURIER_BIND", "127.0.0.1:18080", "NODE1", "127.0.0.1:18081",
        "NODE2", "127.0.0.1:18082", "NODE3", "127.0.0.1:18083", "MINIO", "127.0.0.1:18084",
        "DNS_NAMESERVER", "127.0.0.1:18053", "CHECK_INTER", "200ms", "HAPROXY_MAXCONN", "4000",
        "HAPROXY_STATS_SOCKET", "/tmp/courier-haproxy-check.sock");
    HaproxyProcess.CheckResult result = HaproxyProcess.check(HAPROXY_CFG, env);
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.hasWarnings()).as(result.output()).isFalse();
  }

  @Test
  void haproxyBalancesLongLivedSocketsAndChecksReadiness() throws IOException {
    String cfg = Files.readString(HAPROXY_CFG);
    assertThat(cfg).contains("mode http", "balance leastconn", "option httpchk GET /health/ready",
        "http-check expect status 200", "timeout tunnel 1h", "on-marked-down shutdown-sessions");
    assertThat(cfg).as("stats only on a local socket, and only when asked for").doesNotContain("stats enable")
        .contains(".if defined(HAPROXY_STATS_SOCKET)");
    // Every variable has the compose value as its default, so the file runs unchanged in the haproxy container.
    Map<String, String> defaults = haproxyDefaults(cfg);
    for (int i = 0; i < NODES.size(); i++) {
      assertThat(defaults).containsEntry("NODE" + (i + 1), NODES.get(i) + ":8080");
    }
    assertThat(defaults).containsEntry("MINIO", "minio:9000").containsEntry("COURIER_BIND", ":8080")
        .containsEntry("MEDIA_BUCKET", nodeConfig(composeEnvironment("courier-1")).media().bucket());
  }

  // ------------------------------------------------------------------------------------------ compose.yaml

  @Test
  void composeRunsThreeNodesBehindHaproxyWithRedisAndMinio() {
    JsonNode services = compose().get("services");
    assertThat(names(services)).containsExactlyInAnyOrder("redis", "minio", "haproxy", "courier-1", "courier-2",
        "courier-3");
    for (String name : names(services)) {
      assertThat(services.get(name).has("healthcheck")).as(name + " has a health check").isTrue();
      assertThat(services.get(name).get("image").asText()).as(name + "'s image is pinned by a tag")
          .matches("[^:]+:[^:]+").doesNotEndWith(":latest");
    }
    assertThat(names(services).stream().filter(name -> services.get(name).has("ports")))
        .as("services that publish ports").containsExactly("haproxy");
    assertThat(services.get("haproxy").get("volumes").get(0).asText())
        .isEqualTo("./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro");
  }

  @Test
  void redisKeepsAnAppendOnlyFileFsyncedEverySecond() {
    List<String> command = texts(compose().get("services").get("redis").get("command"));
    assertThat(String.join(" ", command)).contains("--appendonly yes", "--appendfsync everysec");
  }

  @Test
  void servicesStartOnlyOnceWhatTheyNeedIsHealthy() {
    JsonNode services = compose().get("services");
    for (String node : NODES) {
      assertThat(dependencies(services.get(node))).as(node).containsEntry("redis", "service_healthy")
          .containsEntry("minio", "service_healthy");
    }
    assertThat(dependencies(services.get("courier-2"))).containsEntry("courier-1", "service_healthy");
    assertThat(dependencies(services.get("courier-3"))).containsEntry("courier-1", "service_healthy");
    Map<String, String> balancer = dependencies(services.get("haproxy"));
    NODES.forEach(node -> assertThat(balancer).containsEntry(node, "service_healthy"));
  }

  @Test
  void everySecretTheNodeConfigNamesIsMountedInEveryNodeAndDeclaredWithAFile() throws IOException {
    JsonNode compose = compose();
    Set<String> referenced = new HashSet<>();
    Matcher m = SECRET_FILE.matcher(Files.readString(NODE_CONFIG));
    while (m.find()) {
      referenced.add(m.group(1));
    }
    assertThat(referenced).containsExactlyInAnyOrder("jwt_private_key", "jwt_public_key", "s3_access_key",
        "s3_secret_key");
    JsonNode declared = compose.get("secrets");
    for (String secret : referenced) {
      assertThat(declared.get(secret)).as("top-level secret " + secret).isNotNull();
      assertThat(declared.get(secret).get("file").asText()).as(secret).startsWith("./secrets/");
    }
    for (String node : NODES) {
      assertThat(texts(compose.get("services").get(node).get("secrets"))).as(node).containsAll(referenced);
    }
    // MinIO's root credentials are the keys the nodes sign with.
    JsonNode minio = compose.get("services").get("minio");
    assertThat(minio.get("environment").get("MINIO_ROOT_USER_FILE").asText()).isEqualTo("/run/secrets/s3_access_key");
    assertThat(minio.get("environment").get("MINIO_ROOT_PASSWORD_FILE").asText())
        .isEqualTo("/run/secrets/s3_secret_key");
    assertThat(texts(minio.get("secrets"))).containsExactlyInAnyOrder("s3_access_key", "s3_secret_key");
  }

  @Test
  void nodesAnnounceTheirOwnFixedAddressAndListEveryNode() {
    JsonNode compose = compose();
    JsonNode ipam = compose.get("networks").get("courier").get("ipam").get("config").get(0);
    assertThat(ipam.get("subnet").asText()).isEqualTo("172.28.0.0/24");
    List<String> addresses = new ArrayList<>();
    for (String node : NODES) {
      JsonNode service = compose.get("services").get(node);
      String address = service.get("networks").get("courier").get("ipv4_address").asText();
      assertThat(service.get("environment").get("COURIER_CLUSTER_HOST").asText()).as(node).isEqualTo(address);
      assertThat(address).startsWith("172.28.0.");
      assertThat(Integer.parseInt(address.substring("172.28.0.".length()))).as("outside the dynamic ip_range "
          + ipam.get("ip_range").asText()).isLessThan(128);
      addresses.add(address);
    }
    for (String node : NODES) {
      CourierConfig config = nodeConfig(composeEnvironment(node));
      assertThat(config.cluster().members()).as(node).containsExactlyElementsOf(addresses);
      assertThat(addresses).contains(config.cluster().host());
    }
    assertThat(nodeConfig(Map.of("COURIER_CLUSTER_HOST", addresses.get(0))).cluster().members())
        .as("the node config's default members").containsExactlyElementsOf(addresses);
    // HAProxy, somewhere in the compose network, names the client in X-Forwarded-For (PROTOCOL §7).
    assertThat(nodeConfig(Map.of("COURIER_CLUSTER_HOST", addresses.get(0))).server().trustedProxies())
        .as("the node config's trusted proxies").containsExactly(ipam.get("subnet").asText());
  }

  @Test
  void theNodeConfigLoadsWithTheComposeEnvironmentAndPointsAtTheSharedStores() {
    CourierConfig config = nodeConfig(composeEnvironment("courier-1"));
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.redis().url()).isEqualTo("redis://redis:6379");
    assertThat(config.media().endpoint()).isEqualTo("http://minio:9000");
    assertThat(config.media().publicEndpoint()).isEqualTo("http://localhost:8080");
    assertThat(config.cluster().enabled()).isTrue();
    assertThat(config.cluster().host()).isEqualTo("172.28.0.11");
    assertThat(config.auth().privateKeyPem()).isEqualTo("file:/run/secrets/jwt_private_key");
    assertThat(config.auth().publicKeyPem()).isEqualTo("file:/run/secrets/jwt_public_key");
  }

  @Test
  void dockerComposeAcceptsTheFileWhereThePluginIsInstalled(@TempDir Path dir) throws IOException {
    assumeTrue(run(List.of("docker", "compose", "version"), Map.of(), dir).exitCode() == 0,
        "the docker compose plugin is not installed");
    Path copy = dir.resolve("docker");
    Files.createDirectories(copy.resolve("secrets"));
    Files.copy(COMPOSE, copy.resolve("compose.yaml"));
    Files.copy(HAPROXY_CFG, copy.resolve("haproxy.cfg"));
    for (JsonNode secret : iterable(compose().get("secrets"))) {
      Files.writeString(copy.resolve(secret.get("file").asText()), "placeholder\n");
    }
    HaproxyProcess.CheckResult result = run(List.of("docker", "compose", "-f", copy.resolve("compose.yaml")
        .toString(), "config", "--quiet"), Map.of(), dir);
    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  // ------------------------------------------------------------------------------------------ Dockerfile

  @Test
  void theDockerfileBuildsWithMavenAndRunsTheJarOnAJreAsANonRootUser() throws IOException {
    List<Instruction> all = dockerfile();
    assertThat(all).allSatisfy(i -> assertThat(i.keyword()).isIn("FROM", "RUN", "COPY", "WORKDIR", "USER", "EXPOSE",
        "HEALTHCHECK", "ENTRYPOINT", "ENV", "ARG", "LABEL"));
    List<Instruction> froms = all.stream().filter(i -> i.keyword().equals("FROM")).toList();
    assertThat(froms).hasSize(2);
    assertThat(froms.get(0).arguments()).matches("maven:[^ ]*eclipse-temurin-17 AS build");
    assertThat(froms.get(1).arguments()).startsWith("eclipse-temurin:17-jre");
    List<Instruction> runtime = all.subList(all.indexOf(froms.get(1)), all.size());
    assertThat(arguments(runtime, "RUN").get(0)).contains("useradd --system --uid 10001");
    assertThat(arguments(runtime, "USER")).containsExactly("10001:10001");
    assertThat(arguments(runtime, "EXPOSE")).containsExactly("8080");
    assertThat(arguments(runtime, "HEALTHCHECK")).singleElement().asString().contains("/health/ready");
    assertThat(arguments(runtime, "COPY")).containsExactly(
        "--from=build /src/target/lib/ /app/lib/",
        "--from=build /src/target/courier-server.jar /app/courier-server.jar",
        "--from=build /src/config/ /app/config/",
        "docker/config/cluster-node.yaml /app/config/cluster-node.yaml");
    List<String> build = arguments(all.subList(0, all.indexOf(froms.get(1))), "RUN");
    assertThat(build).last().asString().endsWith("mvn -q -B -DskipTests package");
  }

  @Test
  void theEntrypointPassesThePomsJvmFlagsAndTheClusterNodeConfig() throws IOException {
    String entrypoint = arguments(dockerfile(), "ENTRYPOINT").get(0);
    List<String> command = texts(new ObjectMapper().readTree(entrypoint));
    Matcher flags = Pattern.compile("<jvm.flags>([^<]*)</jvm.flags>").matcher(Files.readString(Path.of("pom.xml")));
    assertThat(flags.find()).isTrue();
    List<String> pomFlags = Arrays.asList(flags.group(1).trim().split("\\s+"));
    assertThat(command.get(0)).isEqualTo("java");
    assertThat(command.subList(1, 1 + pomFlags.size())).as("the pom's jvm.flags, in order").isEqualTo(pomFlags);
    assertThat(command.subList(command.size() - 4, command.size()))
        .containsExactly("-jar", "courier-server.jar", "--config", "/app/config/cluster-node.yaml");
  }

  @Test
  void theEntrypointGivesIdleHeapBackWithTheFlagsConnectionBenchMeasures() throws IOException {
    List<String> command = texts(new ObjectMapper().readTree(arguments(dockerfile(), "ENTRYPOINT").get(0)));
    assertThat(command).containsSubsequence(ConnectionBench.PRODUCTION_HEAP_FLAGS);
  }

  @Test
  void theBuildContextLeavesOutSecretsAndBuildOutput() throws IOException {
    List<String> ignored = Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore")).stream()
        .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(ignored).contains("target", "docker/secrets", "**/*.pem", ".git");
    assertThat(Files.readString(Path.of(".gitignore"))).contains("docker/secrets/");
  }

  // ------------------------------------------------------------------------------------------ helpers

  record Instruction(String keyword, String arguments) {}

  /** Dockerfile instructions, with continuation lines joined and comments dropped. */
  static List<Instruction> dockerfile() throws IOException {
    List<Instruction> instructions = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : Files.readAllLines(DOCKERFILE)) {
      String trimmed = line.strip();
      if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.isEmpty())) {
        continue;
      }
      if (trimmed.endsWith("\\")) {
        current.append(trimmed, 0, trimmed.length() - 1).append(' ');
        continue;
      }
      current.append(trimmed);
      String text = current.toString().replaceAll("\\s+", " ").strip();
      int space = text.indexOf(' ');
      instructions.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1)));
      current.setLength(0);
    }
    return instructions;
  }

  static List<String> arguments(List<Instruction> instructions, String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
  }

  static JsonNode compose() {
    try {
      return YAML.readTree(COMPOSE.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A node service's environment, with compose's own {@code ${NAME:-default}} resolved to the default. */
  static Map<String, String> composeEnvironment(String service) {
    Map<String, String> env = new HashMap<>();
    compose().get("services").get(service).get("environment").fields().forEachRemaining(e ->
        env.put(e.getKey(), e.getValue().asText().replaceAll("\\$\\{[A-Z_]+:-([^}]*)}", "$1")));
    return env;
  }

  static CourierConfig nodeConfig(Map<String, String> environment) {
    return new ConfigLoader(environment).load(NODE_CONFIG, List.of());
  }

  /** The {@code "${NAME-default}"} defaults of haproxy.cfg. */
  static Map<String, String> haproxyDefaults(String cfg) {
    Map<String, String> defaults = new LinkedHashMap<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z0-9_]+)-([^}]*)}").matcher(cfg);
    while (m.find()) {
      defaults.putIfAbsent(m.group(1), m.group(2));
    }
    return defaults;
  }

  static Map<String, String> dependencies(JsonNode service) {
    Map<String, String> conditions = new HashMap<>();
    service.get("depends_on").fields().forEachRemaining(e -> conditions.put(e.getKey(),
        e.getValue().get("condition").asText()));
    return conditions;
  }

  static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(item -> texts.add(item.asText()));
    return texts;
  }

  static Iterable<JsonNode> iterable(JsonNode object) {
    List<JsonNode> values = new ArrayList<>();
    object.elements().forEachRemaining(values::add);
    return Collections.unmodifiableList(values);
  }

  static HaproxyProcess.CheckResult run(List<String> command, Map<String, String> env, Path dir) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
      builder.environment().putAll(env);
      Process process = builder.start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new HaproxyProcess.CheckResult(-1, "timed out");
      }
      return new HaproxyProcess.CheckResult(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new HaproxyProcess.CheckResult(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new HaproxyProcess.CheckResult(-1, e.toString());
    }
  }
}
