package io.courier.media;

import java.time.Duration;

/** Signs requests that clients send straight to the object store; the server never handles the bytes. */
public interface Presigner {

  /**
   * An upload of {@code objectKey}, valid for {@code ttl}: a presigned PUT (its signature covers the key, the method
   * and the expiry) or a POST form (its policy also bounds the size by {@code maxBytes} and pins the content type),
   * as {@code media.uploads} says.
   */
  UploadDescriptor upload(int part, String objectKey, long maxBytes, Duration ttl);

  /** A download of {@code objectKey}, valid for {@code ttl}, served as opaque bytes whatever the object's type. */
  UploadDescriptor download(int part, String objectKey, Duration ttl);
}
