package io.courier.protocol;

import java.util.List;

/**
 * Why a send's device set was refused: which devices of {@code account} it must add ({@code missing}), must drop
 * ({@code extra}), or names by an old registration id ({@code stale}). Travels in the error frame.
 */
public record DeviceSetMismatch(String account, List<Integer> missing, List<Integer> extra, List<Integer> stale) {
  public DeviceSetMismatch {
    missing = List.copyOf(missing);
    extra = List.copyOf(extra);
    stale = List.copyOf(stale);
  }
}
