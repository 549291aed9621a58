package io.courier.gateway;

import io.courier.auth.Accounts;
import io.courier.auth.Devices;
import io.courier.auth.TokenService;
import io.courier.config.CourierConfig;
import io.courier.mailbox.Mailbox;
import io.courier.prekeys.KeyDirectory;
import io.courier.protocol.FrameCodec;
import io.courier.routing.DeliveryRouter;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The services one gateway verticle instance works with, wired once in {@link GatewayVerticle#start()}.
 *
 * @param config       the validated configuration
 * @param codec        frame codec with the configured limits
 * @param accounts     accounts and sessions
 * @param devices      an account's devices and link codes
 * @param keys         the key directory
 * @param tokens       access-token issuing and verification
 * @param mailbox      per-device mailboxes
 * @param router       per-device signals across the event bus
 * @param sendHandler  the {@code send} frame
 * @param ackHandler   the {@code ack} frame
 * @param readHandler  the {@code read} frame
 * @param connections  this instance's open connections; touched only on its event loop
 * @param draining     set when the node shuts down: handshakes are refused from then on
 */
record Gateway(
    CourierConfig config,
    FrameCodec codec,
    Accounts accounts,
    Devices devices,
    KeyDirectory keys,
    TokenService tokens,
    Mailbox mailbox,
    DeliveryRouter router,
    SendHandler sendHandler,
    AckHandler ackHandler,
    ReadHandler readHandler,
    Set<Connection> connections,
    AtomicBoolean draining) {}
