package io.courier.mailbox;

import io.courier.routing.Signal;
import java.util.List;

/**
 * What an append wrote: the store time, the devices whose mailboxes got an entry, for each the route of its live
 * connection as routing keeps it ({@code ""} when not connected), read in the same step so the caller can wake
 * those connections without another round trip, and the wake-up that hands the connection the entry itself.
 *
 * @param at      the store time in ms (the same for a repeated message id); 0 for receipts
 * @param devices the devices written, in order
 * @param routes  one route per device, same order
 * @param wakes   one per device, same order: the entry written and the one before it; {@link Signal#WAKE} for
 *                a repeated message id (its entries were written earlier)
 * @param coalesced how many of the devices already had a wake-up due (push on; 0 otherwise)
 * @param pushDue   the devices a wake-up became due for (no live connection, a push target, none due yet), which
 *                  the mailbox has queued before answering; empty with push off
 */
public record Written(long at, List<Integer> devices, List<String> routes, List<Signal.Wake> wakes, int coalesced,
    List<Integer> pushDue) {}
