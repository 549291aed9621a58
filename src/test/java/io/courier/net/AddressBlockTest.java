package io.courier.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AddressBlockTest {
  @Test
  void blocksContainTheirAddressesOnly() {
    AddressBlock block = AddressBlock.parse("172.28.0.0/24");
    assertThat(block.contains(AddressBlock.literal("172.28.0.11"))).isTrue();
    assertThat(block.contains(AddressBlock.literal("172.28.1.11"))).isFalse();
    assertThat(AddressBlock.parse("10.0.0.5").contains(AddressBlock.literal("10.0.0.5"))).isTrue();
    assertThat(AddressBlock.parse("10.0.0.5").contains(AddressBlock.literal("10.0.0.6"))).isFalse();
    assertThat(AddressBlock.parse("10.0.0.0/7").contains(AddressBlock.literal("11.255.0.1"))).isTrue();
    assertThat(AddressBlock.parse("fd00::/8").contains(AddressBlock.literal("fd12::1"))).isTrue();
    assertThat(AddressBlock.parse("fd00::/8").contains(AddressBlock.literal("10.0.0.1"))).isFalse();
  }

  @Test
  void ipv4MappedAddressesCountAsIpv4() {
    assertThat(AddressBlock.literal("::ffff:10.0.0.5")).containsExactly(10, 0, 0, 5);
    assertThat(AddressBlock.literal("[::1]")).hasSize(16);
  }

  @Test
  void namesAndMalformedBlocksAreRefusedWithoutALookup() {
    assertThat(AddressBlock.literal("localhost")).isNull();
    assertThat(AddressBlock.literal("example.com")).isNull();
    assertThat(AddressBlock.isValid("10.0.0.0/33")).isFalse();
    assertThat(AddressBlock.isValid("10.0.0.0/x")).isFalse();
    assertThat(AddressBlock.isValid("haproxy")).isFalse();
    assertThatThrownBy(() -> AddressBlock.parse("")).isInstanceOf(IllegalArgumentException.class);
  }
}
