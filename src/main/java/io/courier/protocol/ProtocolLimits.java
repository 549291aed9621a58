package io.courier.protocol;

/**
 * The per-frame limits the codec enforces (the others live with the gateway and mailbox).
 *
 * @param maxEnvelopesPerSend most envelopes in one {@code send}
 * @param maxCiphertextBytes  largest ciphertext once base64-decoded
 * @param maxReceiptIds       most message ids in one {@code read}
 */
public record ProtocolLimits(int maxEnvelopesPerSend, int maxCiphertextBytes, int maxReceiptIds) {}
