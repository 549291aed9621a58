package io.courier.routing;

import io.courier.protocol.DeviceId;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages nodes send each other on their node addresses ({@code courier.node.<node id>}), as short text so
 * they cross a clustered event bus without a codec: {@code wake <account> <d1,d2,...>},
 * {@code takeover <account> <device> <epoch>}, {@code logout <account> <device>}.
 */
final class NodeMessages {
  private NodeMessages() {}

  /** One decoded message: the devices and the signal for each. */
  record Delivery(List<DeviceId> devices, Signal signal) {}

  static String wake(String account, List<Integer> devices) {
    StringBuilder text = new StringBuilder("wake ").append(account).append(' ');
    for (int i = 0; i < devices.size(); i++) {
      text.append(i == 0 ? "" : ",").append(devices.get(i));
    }
    return text.toString();
  }

  static String takeover(DeviceId device, long epoch) {
    return "takeover " + device.account() + " " + device.device() + " " + epoch;
  }

  static String logout(DeviceId device) {
    return "logout " + device.account() + " " + device.device();
  }

  static Delivery decode(String text) {
    String[] parts = text.split(" ");
    String account = parts[1];
    switch (parts[0]) {
      case "wake": {
        List<DeviceId> devices = new ArrayList<>();
        for (String device : parts[2].split(",")) {
          devices.add(new DeviceId(account, Integer.parseInt(device)));
        }
        return new Delivery(devices, Signal.WAKE);
      }
      case "takeover":
        return new Delivery(List.of(new DeviceId(account, Integer.parseInt(parts[2]))),
            new Signal.Takeover(Long.parseLong(parts[3])));
      default:
        return new Delivery(List.of(new DeviceId(account, Integer.parseInt(parts[2]))), Signal.LOGGED_OUT);
    }
  }
}
