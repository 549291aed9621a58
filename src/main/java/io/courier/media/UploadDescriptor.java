package io.courier.media;

import java.util.Map;

/**
 * One presigned request for one part of an attachment.
 *
 * @param part    the part number, from 1
 * @param method  {@code PUT} (the part's bytes as the body), {@code POST} (a form upload) or {@code GET}
 * @param url     where to send it
 * @param fields  for a POST, the form fields to send before the file (the policy, its signature, the key ...);
 *                else empty
 * @param headers for a PUT, the headers to send with the bytes ({@code Content-Type}); else empty
 */
public record UploadDescriptor(int part, String method, String url, Map<String, String> fields,
    Map<String, String> headers) {

  public UploadDescriptor {
    fields = Map.copyOf(fields);
    headers = Map.copyOf(headers);
  }
}
