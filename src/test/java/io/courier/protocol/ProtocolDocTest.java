package io.courier.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/PROTOCOL.md is the contract: its error-code and close-code tables must match the enums row for row. */
class ProtocolDocTest {
  private static final Path DOC = Path.of("docs/PROTOCOL.md");

  @Test
  void errorCodeTableMatchesErrorCodeEnum() throws IOException {
    Map<String, String> documented = rows(section("## 5. Error codes"),
        Pattern.compile("^\\| `([A-Z_]+)` \\| (\\d{3}) \\| (yes|no) \\|", Pattern.MULTILINE));
    Map<String, String> inCode = new LinkedHashMap<>();
    for (ErrorCode code : ErrorCode.values()) {
      inCode.put(code.name(), code.status() + " " + (code.temporary() ? "yes" : "no"));
    }
    assertThat(documented).containsExactlyEntriesOf(inCode);
  }

  @Test
  void closeCodeTableMatchesCloseReasonEnum() throws IOException {
    Map<String, String> documented = rows(section("## 6. Close codes"),
        Pattern.compile("^\\| (\\d{4}) \\| `([A-Z_]+)` \\| `([^`]+)` \\|", Pattern.MULTILINE), 2, 1, 3);
    Map<String, String> inCode = new LinkedHashMap<>();
    for (CloseReason reason : CloseReason.values()) {
      inCode.put(reason.name(), reason.code() + " " + reason.text());
    }
    assertThat(documented).containsExactlyEntriesOf(inCode);
  }

  @Test
  void closeReasonsFitInACloseFrame() {
    assertThat(Arrays.stream(CloseReason.values()).map(r -> r.text().getBytes().length))
        .allSatisfy(length -> assertThat(length).isLessThanOrEqualTo(123));
  }

  private static String section(String heading) throws IOException {
    String doc = Files.readString(DOC);
    int start = doc.indexOf(heading);
    assertThat(start).as("heading " + heading).isNotNegative();
    int end = doc.indexOf("\n## ", start + heading.length());
    return doc.substring(start, end < 0 ? doc.length() : end);
  }

  private static Map<String, String> rows(String text, Pattern row) {
    return rows(text, row, 1, 2, 3);
  }

  /** Each match becomes key group {@code key} mapped to groups {@code a} and {@code b} joined by a space. */
  private static Map<String, String> rows(String text, Pattern row, int key, int a, int b) {
    Map<String, String> rows = new LinkedHashMap<>();
    Matcher m = row.matcher(text);
    while (m.find()) {
      rows.put(m.group(key), m.group(a) + " " + m.group(b));
    }
    return rows;
  }

  @Test
  void everyDocumentedFrameTypeIsOneTheCodecKnows() throws IOException {
    String doc = Files.readString(DOC);
    for (String type : List.of("send", "ack", "read", "ping")) {
      assertThat(doc).contains("### `" + type + "`");
    }
  }
}
