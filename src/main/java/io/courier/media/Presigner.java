package io.courier.media;

import java.time.Duration;

/** Signs requests that clients send straight to the object store; the server never handles the bytes. */
public interface Presigner {

  /** A form upload of {@code objectKey}: at most {@code maxBytes}, opaque bytes only, valid for {@code ttl}. */
  UploadDescriptor upload(int part, String objectKey, long maxBytes, Duration ttl);

  /** A download of {@code objectKey}, valid for {@code ttl}. */
  UploadDescriptor download(int part, String objectKey, Duration ttl);
}
