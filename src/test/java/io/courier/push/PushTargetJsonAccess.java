package io.courier.push;

/** Package-private checks of {@link PushTargetJson}, for tests in other packages. */
public final class PushTargetJsonAccess {
  private PushTargetJsonAccess() {}

  public static boolean isP256Point(byte[] point) {
    return PushTargetJson.isP256Point(point);
  }
}
