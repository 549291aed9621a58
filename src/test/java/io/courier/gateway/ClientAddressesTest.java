package io.courier.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.net.AddressBlock;
import org.junit.jupiter.api.Test;

class ClientAddressesTest {
  @Test
  void ipv4IsCountedByAddressAndIpv6ByItsSlash64() {
    assertThat(ClientAddresses.bucket(AddressBlock.literal("192.0.2.7"))).isEqualTo("192.0.2.7");
    assertThat(ClientAddresses.bucket(AddressBlock.literal("2001:db8:0:1:aaaa::1")))
        .isEqualTo("2001:db8:0:1::/64")
        .isEqualTo(ClientAddresses.bucket(AddressBlock.literal("2001:db8:0:1:bbbb::2")));
  }
}
