package io.courier.mailbox;

import io.courier.testing.RedisClusterProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link MailboxContract} on a 3-master Redis Cluster: every script must stay in its account's slot. */
class ClusterMailboxTest extends MailboxContract {
  static RedisClusterProcess cluster;

  @BeforeAll
  static void start() {
    cluster = RedisClusterProcess.start();
    connect(cluster.urls(), true);
  }

  @AfterAll
  static void stop() {
    disconnect();
    cluster.close();
  }
}
