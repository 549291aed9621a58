package io.courier.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.courier.CourierServer;
import io.courier.redis.RedisClients;
import io.courier.testing.RespConnection;
import io.courier.testing.RespErrorException;
import io.courier.testing.TestServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default install's local secrets: what another user of the machine can reach (docs/SECURITY.md). */
class DataFolderTest {

  @Test
  void theEmbeddedRedisRequiresItsPasswordAndEverySecretIsOwnerOnly(@TempDir Path parent) throws Exception {
    Path data = parent.resolve("data");
    // A folder and key left by an older version, readable by everyone.
    Files.createDirectories(data.resolve("keys"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (CourierServer server = TestServer.start("", "dataDir=" + data)) {
      URI redis = URI.create(server.redisUrl());
      String password = Files.readString(data.resolve("redis/password")).trim();
      assertThat(password).hasSize(64);
      try (RespConnection anyone = RespConnection.open(redis.getHost(), redis.getPort())) {
        assertThatThrownBy(() -> anyone.call("GET", "account:{u:alice}"))
            .isInstanceOf(RespErrorException.class).hasMessageContaining("NOAUTH");
        assertThatThrownBy(() -> anyone.call("AUTH", "not-the-password"))
            .isInstanceOf(RespErrorException.class);
        assertThat(anyone.call("AUTH", password)).isEqualTo("OK");
        assertThat(anyone.call("PING")).isEqualTo("PONG");
      }
      assertThat(RedisClients.redact(server.redisUrl())).doesNotContain(password).contains("***");

      assertThat(permissions(data)).isEqualTo("rwx------");
      assertThat(permissions(data.resolve("redis"))).isEqualTo("rwx------");
      assertThat(permissions(data.resolve("keys"))).isEqualTo("rwx------");
      assertThat(permissions(data.resolve("redis/password"))).isEqualTo("rw-------");
      assertThat(permissions(data.resolve("keys/jwt-private.pem"))).isEqualTo("rw-------");
    }
    // The next start keeps the password (an operator's redis-cli keeps working) and tightens an old key.
    Files.setPosixFilePermissions(data.resolve("keys/jwt-private.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    String before = Files.readString(data.resolve("redis/password"));
    try (CourierServer server = TestServer.start("", "dataDir=" + data)) {
      assertThat(server.redisUrl()).contains(before.trim());
      assertThat(permissions(data.resolve("keys/jwt-private.pem"))).isEqualTo("rw-------");
    }
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
