package io.courier.media;

import java.util.ArrayList;
import java.util.List;

/**
 * The object keys of an attachment's parts, in two places:
 * <ul>
 *   <li>{@code up/<id>/<part>}: where a client uploads a part; the only keys an upload request is ever signed
 *       for;</li>
 *   <li>{@code <id>/<version>/<part>}: the checked copies that downloads read, written only by the server when it
 *       completes the attachment ({@link Completion}); {@code version} is 128 random bits, new for each
 *       completion, so no upload request can name them. Attachments completed before versions existed keep
 *       {@code <id>/<part>} (no version in their record).</li>
 * </ul>
 * Ids are 22 characters, so no id is {@code up}.
 */
final class AttachmentObjectKeys {
  private AttachmentObjectKeys() {}

  static String upload(String id, int part) {
    return "up/" + id + "/" + part;
  }

  static String stored(String id, String version, int part) {
    return version == null ? id + "/" + part : id + "/" + version + "/" + part;
  }

  static List<String> uploads(String id, PartLayout layout) {
    List<String> keys = new ArrayList<>(layout.count());
    for (int part = 1; part <= layout.count(); part++) {
      keys.add(upload(id, part));
    }
    return keys;
  }

  static List<String> stored(String id, String version, PartLayout layout) {
    List<String> keys = new ArrayList<>(layout.count());
    for (int part = 1; part <= layout.count(); part++) {
      keys.add(stored(id, version, part));
    }
    return keys;
  }
}
