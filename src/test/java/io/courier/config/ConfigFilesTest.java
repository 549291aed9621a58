package io.courier.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every shipped config file loads and validates; bad configs report every problem at once. */
class ConfigFilesTest {
  private static final Map<String, String> ENV = Map.of("COURIER_REDIS_URL", "redis://redis:6379");

  @Test
  void everyYamlFileInConfigLoadsAndValidates() throws IOException {
    List<Path> files;
    try (Stream<Path> listing = Files.list(Path.of("config"))) {
      files = listing.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).toList();
    }
    assertThat(files).isNotEmpty();
    for (Path file : files) {
      assertThat(new ConfigLoader(ENV).load(file, List.of())).as(file.toString()).isNotNull();
    }
  }

  @Test
  void theHazelcastExampleParsesAndKeepsTheVertxStructures() throws IOException {
    com.hazelcast.config.Config hazelcast = new com.hazelcast.config.FileSystemXmlConfig(
        "config/cluster.example.xml");
    assertThat(hazelcast.getClusterName()).isEqualTo("courier");
    assertThat(hazelcast.getMultiMapConfigs()).containsKey("__vertx.subs");
    assertThat(hazelcast.getMapConfigs()).containsKeys("__vertx.haInfo", "__vertx.nodeInfo");
  }

  @Test
  void clusteredNodesMustShareTheirStores(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(Path.of("config/courier.yaml"),
        List.of("cluster.enabled=true")))
        .hasMessageContaining("clustered nodes must share Redis and the S3 store");
  }

  @Test
  void defaultConfigRunsEmbeddedWithTheDocumentedDefaults() {
    CourierConfig config = new ConfigLoader(Map.of()).load(Path.of("config/courier.yaml"), List.of());
    assertThat(config.redis().embedded()).isTrue();
    assertThat(config.server().port()).isEqualTo(8080);
    assertThat(config.mailbox().retention()).isEqualTo(Duration.ofDays(30));
    assertThat(config.mailbox().dedupWindow()).isGreaterThanOrEqualTo(Duration.ofHours(24));
  }

  @Test
  void environmentAndOverridesReplaceValues() {
    CourierConfig config = new ConfigLoader(Map.of("COURIER_PORT", "9000")).load(Path.of("config/courier.yaml"),
        List.of("limits.maxEnvelopesPerSend=4", "server.allowedOrigins=https://a.example,https://b.example"));
    assertThat(config.server().port()).isEqualTo(9000);
    assertThat(config.limits().maxEnvelopesPerSend()).isEqualTo(4);
    assertThat(config.server().allowedOrigins()).containsExactly("https://a.example", "https://b.example");
  }

  @Test
  void everyProblemIsReportedTogetherNamingItsKey(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, String.join("\n",
        "server: {port: 70000, idleTimeout: PT0.1S, requestHeaderTimeout: PT1H, trustedProxies: [haproxy]}",
        "redis: {url: 'http://nope'}",
        "auth: {privateKeyPem: '-----BEGIN PRIVATE KEY-----', bcryptCost: 2}",
        "mailbox: {dedupWindow: PT1H}",
        "connection: {pingInterval: PT2M, idleTimeout: PT1M}",
        ""));
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file, List.of()))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
            .anyMatch(p -> p.startsWith("server.port"))
            .anyMatch(p -> p.startsWith("server.idleTimeout: PT0.1S is less than PT1S"))
            .anyMatch(p -> p.startsWith("server.requestHeaderTimeout: PT1H is more than PT10M"))
            .anyMatch(p -> p.startsWith("server.trustedProxies: 'haproxy' is not an IP address or CIDR block"))
            .anyMatch(p -> p.startsWith("redis.url"))
            .anyMatch(p -> p.startsWith("auth.privateKeyPem: must be a reference"))
            .anyMatch(p -> p.startsWith("auth.privateKeyPem and auth.publicKeyPem"))
            .anyMatch(p -> p.startsWith("auth.bcryptCost"))
            .anyMatch(p -> p.startsWith("mailbox.dedupWindow"))
            .anyMatch(p -> p.startsWith("connection.pingInterval")));
  }

  @Test
  void mediaUploadsIsAutoPostOrPutAndTheEmbeddedStoreTakesNoPostForms() {
    ConfigLoader loader = new ConfigLoader(ENV);
    Path defaults = Path.of("config/courier.yaml");
    assertThat(loader.load(defaults, List.of()).media().presignedPuts()).as("embedded, auto").isTrue();
    assertThat(loader.load(defaults, List.of("media.endpoint=http://minio:9000", "media.accessKey=env:A",
        "media.secretKey=env:B")).media().presignedPuts()).as("configured, auto").isFalse();
    assertThat(loader.load(defaults, List.of("media.endpoint=http://s3proxy:8081", "media.accessKey=env:A",
        "media.secretKey=env:B", "media.uploads=put")).media().presignedPuts()).as("configured, put").isTrue();
    assertThatThrownBy(() -> loader.load(defaults, List.of("media.uploads=post")))
        .hasMessageContaining("media.uploads: 'post' needs a store that enforces POST policies");
    assertThatThrownBy(() -> loader.load(defaults, List.of("media.uploads=form")))
        .hasMessageContaining("media.uploads: 'form' must be auto, post or put");
  }

  @Test
  void unknownKeysAndMissingEnvironmentAreProblems(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "server:\n  prot: 8080\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file, List.of()))
        .hasMessageContaining("unknown key 'prot'");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(Path.of("config/production.example.yaml"), List.of()))
        .hasMessageContaining("COURIER_REDIS_URL is not set");
  }

  @Test
  void externalIssuerMayNotUseSymmetricAlgorithms(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("ext.yaml");
    Files.writeString(file, "auth:\n  external: {issuer: x, audience: y, algorithms: [HS256, none], jwksUrl: "
        + "'http://127.0.0.1/jwks'}\n");
    assertThatThrownBy(() -> new ConfigLoader(Map.of()).load(file, List.of()))
        .hasMessageContaining("'HS256' is not accepted").hasMessageContaining("'none' is not accepted");
  }
}
