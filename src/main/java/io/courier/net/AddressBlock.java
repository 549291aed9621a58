package io.courier.net;

import io.netty.util.NetUtil;
import java.util.Arrays;

/**
 * An IP address or a CIDR block ({@code 10.0.0.5}, {@code 172.28.0.0/24}, {@code fd00::/8}), and the parsing of
 * IP literals without any name lookup (Netty's {@link NetUtil}: {@code InetAddress.getByName} would resolve a name).
 * An IPv4-mapped IPv6 address ({@code ::ffff:10.0.0.5}) counts as its IPv4 address.
 */
public final class AddressBlock {
  private final byte[] prefix;
  private final int bits;

  private AddressBlock(byte[] prefix, int bits) {
    this.prefix = prefix;
    this.bits = bits;
  }

  /** Parses {@code address} or {@code address/bits}; throws {@link IllegalArgumentException} when it is neither. */
  public static AddressBlock parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    int slash = trimmed.indexOf('/');
    byte[] address = literal(slash < 0 ? trimmed : trimmed.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    int bits = address.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a prefix length: " + text);
      }
      if (bits < 0 || bits > address.length * 8) {
        throw new IllegalArgumentException("prefix length out of range: " + text);
      }
    }
    return new AddressBlock(address, bits);
  }

  /** Whether {@link #parse} accepts {@code text}. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** The bytes of an IP literal (4 or 16; brackets allowed), or null when {@code text} is not one. */
  public static byte[] literal(String text) {
    if (text == null) {
      return null;
    }
    String bare = text.trim();
    if (bare.startsWith("[") && bare.endsWith("]")) {
      bare = bare.substring(1, bare.length() - 1);
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(bare);
    if (bytes != null && bytes.length == 16 && isIpv4Mapped(bytes)) {
      return Arrays.copyOfRange(bytes, 12, 16);
    }
    return bytes;
  }

  /** Whether {@code address} (as {@link #literal} gives it) is in this block. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != prefix.length) {
      return false;
    }
    int whole = bits / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != prefix[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[whole] & mask) == (prefix[whole] & mask);
  }

  private static boolean isIpv4Mapped(byte[] bytes) {
    for (int i = 0; i < 10; i++) {
      if (bytes[i] != 0) {
        return false;
      }
    }
    return bytes[10] == (byte) 0xff && bytes[11] == (byte) 0xff;
  }
}
