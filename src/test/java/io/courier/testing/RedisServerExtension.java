package io.courier.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that runs one real {@link RedisProcess} per test class: started before all
 * tests, killed and its data directory deleted after all tests. Tests isolate by key prefix
 * ({@link TestIds#unique}), not FLUSHALL, so a class's tests share the server.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RedisServerExtension REDIS =
 *     RedisServerExtension.builder().appendOnly(true).fsync("always").build();
 * }</pre>
 *
 * <p>Register it on a {@code static} field (instance fields get no before-all callback). Test
 * methods and constructors may declare a {@link RedisProcess} parameter to receive the server.
 * {@code @Nested} classes share the outer class's server: it starts with the outermost class and
 * stops after it. A class that registers two of these (two servers) must use the fields, because
 * two resolvers for one {@code RedisProcess} parameter are an error in JUnit.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private final RedisProcess.Builder settings;
  private RedisProcess redis;
  private int depth;

  private RedisServerExtension(RedisProcess.Builder settings) {
    this.settings = settings;
  }

  /** A builder with AOF off and fsync {@code everysec}, as {@link RedisProcess#builder()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The running server. */
  public synchronized RedisProcess redis() {
    if (redis == null) {
      throw new IllegalStateException("Redis is not running: it starts before all tests of the class "
          + "that registers this extension on a static field");
    }
    return redis;
  }

  /** Shortcut for {@code redis().url()}: {@code redis://127.0.0.1:P}. */
  public String url() {
    return redis().url();
  }

  @Override
  public synchronized void beforeAll(ExtensionContext context) {
    if (depth++ == 0) {
      redis = settings.build().start();
    }
  }

  @Override
  public synchronized void afterAll(ExtensionContext context) {
    if (--depth == 0 && redis != null) {
      RedisProcess finished = redis;
      redis = null;
      finished.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisProcess.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return redis();
  }

  /** Persistence settings for the server; defaults as {@link RedisProcess.Builder}. */
  public static final class Builder {
    private final RedisProcess.Builder settings = RedisProcess.builder();

    private Builder() {
    }

    /** AOF on or off; default off. */
    public Builder appendOnly(boolean on) {
      settings.appendOnly(on);
      return this;
    }

    /** The {@code appendfsync} policy: {@code always}, {@code everysec} (default) or {@code no}. */
    public Builder fsync(String policy) {
      settings.fsync(policy);
      return this;
    }

    /** The extension; register it with {@code @RegisterExtension} on a static field. */
    public RedisServerExtension build() {
      return new RedisServerExtension(settings);
    }
  }
}
