package io.courier.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.courier.protocol.DeviceId;
import io.courier.protocol.ReceiptKind;
import io.courier.protocol.ServerFrame;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text nodes send each other: what one node encodes, another decodes to the same signals. */
class NodeMessagesTest {

  @Test
  void wakeUpsKeepTheirEntriesAcrossNodes() {
    ServerFrame.Message syncCopy = new ServerFrame.Message("1732771200000-3", "m-1", "alice", 2, 1732771200000L,
        "Y2lwaGVy", "bob");
    ServerFrame.Message message = new ServerFrame.Message("1732771200000-4", "m-2", "alice", 1, 1732771200000L,
        "Y2lwaGVy", null);
    ServerFrame.Receipt receipt = new ServerFrame.Receipt("1732771200001-0", ReceiptKind.READ, "bob", 1,
        List.of("m-1", "m-2"), 1732771200001L);
    Map<Integer, Signal.Wake> wakes = new LinkedHashMap<>();
    wakes.put(1, new Signal.Wake(syncCopy, ""));
    wakes.put(3, new Signal.Wake(message, "1732771200000-3"));
    wakes.put(4, new Signal.Wake(receipt, "1732771200000-4"));
    wakes.put(5, Signal.WAKE);
    String text = NodeMessages.entries("alice", wakes);

    assertThat(NodeMessages.decode(text).signals()).containsExactly(
        Map.entry(new DeviceId("alice", 1), new Signal.Wake(syncCopy, "")),
        Map.entry(new DeviceId("alice", 3), new Signal.Wake(message, "1732771200000-3")),
        Map.entry(new DeviceId("alice", 4), new Signal.Wake(receipt, "1732771200000-4")),
        Map.entry(new DeviceId("alice", 5), Signal.WAKE));
  }

  @Test
  void earlierKindsStillDecodeAndAnUnknownKindDecodesToNothing() {
    assertThat(NodeMessages.decode("wake bob 1,2").signals())
        .containsExactly(Map.entry(new DeviceId("bob", 1), Signal.WAKE), Map.entry(new DeviceId("bob", 2), Signal.WAKE));
    assertThat(NodeMessages.decode(NodeMessages.takeover(new DeviceId("bob", 1), 7)).signals())
        .containsExactly(Map.entry(new DeviceId("bob", 1), new Signal.Takeover(7)));
    assertThat(NodeMessages.decode(NodeMessages.logout(new DeviceId("bob", 1))).signals())
        .containsExactly(Map.entry(new DeviceId("bob", 1), Signal.LOGGED_OUT));
    assertThat(NodeMessages.decode("rekey bob 1").signals()).as("not a logout, not anything").isEmpty();
  }

  @Test
  void entriesAsEarlierNodesEncodedThemStillDecodeWhateverTheFieldOrder() {
    // the text a node with Vert.x's JsonObject encoding sent, fields reordered and one unknown field added
    String earlier = "entries {\"w\":[{\"e\":{\"c\":\"Y2lwaGVy\",\"k\":\"m\",\"n\":\"1732771200000-4\",\"i\":\"m-2\","
        + "\"f\":\"alice\",\"fd\":1,\"at\":1732771200000,\"x\":{\"y\":[1,2]}},\"p\":\"1732771200000-3\",\"d\":3},"
        + "{\"d\":4,\"p\":\"1732771200000-4\",\"e\":{\"k\":\"delivered\",\"n\":\"1732771200001-0\",\"f\":\"bob\","
        + "\"fd\":2,\"at\":1732771200001,\"ids\":[\"m-1\",\"m-2\"]}},{\"d\":5}],\"a\":\"alice\"}";
    assertThat(NodeMessages.decode(earlier).signals()).containsExactly(
        Map.entry(new DeviceId("alice", 3), new Signal.Wake(new ServerFrame.Message("1732771200000-4", "m-2",
            "alice", 1, 1732771200000L, "Y2lwaGVy", null), "1732771200000-3")),
        Map.entry(new DeviceId("alice", 4), new Signal.Wake(new ServerFrame.Receipt("1732771200001-0",
            ReceiptKind.DELIVERED, "bob", 2, List.of("m-1", "m-2"), 1732771200001L), "1732771200000-4")),
        Map.entry(new DeviceId("alice", 5), Signal.WAKE));
  }

  @Test
  void aBatchIsOneMessagePerLineAndAnUnreadableLineCostsOnlyItself() {
    ServerFrame.Message odd = new ServerFrame.Message("1732771200000-5", "line\nbreak", "alice", 1, 1732771200000L,
        "Y2lwaGVy", null);
    String withLineBreak = NodeMessages.entries("bob", Map.of(1, new Signal.Wake(odd, "")));
    assertThat(withLineBreak).as("JSON escapes it: a batch's lines stay whole").doesNotContain("\n");
    String batch = NodeMessages.batch(List.of(withLineBreak, "entries {\"a\":\"bob\",\"w\":[{\"d\":",
        NodeMessages.logout(new DeviceId("carol", 2))));

    assertThat(NodeMessages.decodeAll(batch)).extracting(NodeMessages.Delivery::signals).containsExactly(
        Map.of(new DeviceId("bob", 1), new Signal.Wake(odd, "")),
        Map.of(new DeviceId("carol", 2), Signal.LOGGED_OUT));
  }
}
