package io.courier.mailbox;

import io.courier.testing.RedisProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link MailboxContract} on one standalone {@code redis-server}. */
class StandaloneMailboxTest extends MailboxContract {
  static RedisProcess server;

  @BeforeAll
  static void start() {
    server = RedisProcess.builder().build().start();
    connect(server.url(), false);
  }

  @AfterAll
  static void stop() {
    disconnect();
    server.close();
  }
}
