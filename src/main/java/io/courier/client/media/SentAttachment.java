package io.courier.client.media;

import io.courier.client.Sent;

/**
 * An attachment that was uploaded and whose pointer was sent.
 *
 * @param pointer what the recipient got (end-to-end encrypted); it opens the file, so keep it only where messages
 *     are kept
 * @param sent the server's answer to the pointer message (its message id and the single tick)
 */
public record SentAttachment(AttachmentPointer pointer, Sent sent) {
}
