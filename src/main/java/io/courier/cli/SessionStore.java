package io.courier.cli;

import io.courier.client.Session;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Saved sessions: {@code <home>/<host>_<port>/<account>.json}, readable by the owner only, holding the device
 * number and the tokens, next to the device's Signal store ({@code <home>/<host>_<port>/stores/}). A refresh
 * rewrites the file, since refresh tokens are single-use. One device per account per home folder.
 */
final class SessionStore {
  private final Path dir;

  SessionStore(Path home, URI server) {
    this.dir = home.resolve(server.getHost() + "_" + server.getPort());
  }

  /** Where the devices' Signal stores live. */
  Path storeRoot() {
    return dir.resolve("stores");
  }

  Session find(String account) {
    Path file = dir.resolve(account + ".json");
    if (!Files.exists(file)) {
      return null;
    }
    try {
      JsonObject json = new JsonObject(Files.readString(file));
      return new Session(json.getString("account"), json.getInteger("device"), json.getString("accessToken"),
          json.getLong("expiresIn"), json.getString("refreshToken"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void save(Session session) {
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve(session.account() + ".json");
      Files.writeString(file, new JsonObject().put("account", session.account()).put("device", session.device())
          .put("accessToken", session.accessToken()).put("expiresIn", session.expiresIn())
          .put("refreshToken", session.refreshToken()).encodePrettily());
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system: the folder's permissions apply
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
