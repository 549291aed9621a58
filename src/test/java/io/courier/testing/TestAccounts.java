package io.courier.testing;

import io.courier.client.AccountApi;
import io.courier.client.Session;
import io.vertx.core.Vertx;
import java.net.URI;

/** Registers accounts and logs devices in through the real HTTP API, with a unique name per call. */
public final class TestAccounts {
  /** The password every test account gets. */
  public static final String PASSWORD = "correct horse battery";

  private final AccountApi api;

  public TestAccounts(Vertx vertx, String baseUri) {
    this.api = new AccountApi(vertx, URI.create(baseUri));
  }

  /** A new account named after {@code base}, logged in as its device 1. */
  public Session register(String base) {
    String name = TestIds.unique(base);
    WireClient.await(api.register(name, PASSWORD));
    return login(name);
  }

  /** A new device of an existing account. */
  public Session login(String account) {
    return WireClient.await(api.login(account, PASSWORD, "test"));
  }

  public AccountApi api() {
    return api;
  }
}
