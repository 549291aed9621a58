package io.courier.bench;

import io.courier.media.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What the server JVMs of one clustered bench run share besides Redis: a Hazelcast cluster of their own (a unique
 * name, members on loopback) and one S3 store, an {@link EmbeddedS3} in the bench JVM (a node's own embedded
 * store would hold media the other nodes cannot presign). {@link #settings()} are the {@code --set}s every node
 * gets.
 */
final class BenchCluster implements AutoCloseable {
  private final EmbeddedS3 s3;
  private final List<String> settings;

  private BenchCluster(EmbeddedS3 s3, List<String> settings) {
    this.s3 = s3;
    this.settings = settings;
  }

  static BenchCluster start() throws Exception {
    EmbeddedS3 s3 = EmbeddedS3.start(Files.createTempDirectory("courier-bench-s3-"), 8 * 1024 * 1024, List.of());
    Path access = Files.createTempFile("bench-s3-access", "");
    Path secret = Files.createTempFile("bench-s3-secret", "");
    Files.writeString(access, s3.accessKey());
    Files.writeString(secret, s3.secretKey());
    return new BenchCluster(s3, List.of("cluster.enabled=true", "cluster.name=bench-" + UUID.randomUUID(),
        "cluster.members=127.0.0.1", "media.endpoint=" + s3.endpoint(), "media.accessKey=file:" + access,
        "media.secretKey=file:" + secret));
  }

  List<String> settings() {
    return settings;
  }

  @Override
  public void close() {
    s3.close();
  }
}
