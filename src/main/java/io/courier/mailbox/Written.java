package io.courier.mailbox;

import java.util.List;

/**
 * What an append wrote: the store time, the devices whose mailboxes got an entry, and for each the route of its
 * live connection as routing keeps it ({@code ""} when not connected), read in the same step so the caller can
 * wake those connections without another round trip.
 *
 * @param at      the store time in ms (the same for a repeated message id); 0 for receipts
 * @param devices the devices written, in order
 * @param routes  one route per device, same order
 */
public record Written(long at, List<Integer> devices, List<String> routes) {}
