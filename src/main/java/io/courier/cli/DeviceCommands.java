package io.courier.cli;

import io.courier.client.signal.DevicesApi;
import io.courier.client.signal.SecureMessenger;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Commands about the account's devices: devices, unlink. */
final class DeviceCommands {
  private DeviceCommands() {}

  @Command(name = "devices", description = "List your account's devices.")
  static final class DevicesCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Override
    int run(Workspace ws) throws Exception {
      return ws.withMessenger(username, new Screen(cli.out), messenger -> {
        List<DevicesApi.DeviceInfo> devices = messenger.devices().await();
        for (DevicesApi.DeviceInfo d : devices) {
          cli.out.println("device " + d.device() + "  " + d.name() + (d.device() == messenger.device()
              ? "  (this one)" : "") + (d.keys() ? "" : "  (no keys yet)"));
        }
        return 0;
      });
    }
  }

  @Command(name = "unlink", description = "Unlink a device of your account: its session ends within a second.")
  static final class UnlinkCommand extends CliCommand {
    @Parameters(index = "0", description = "your username")
    String username;

    @Parameters(index = "1", description = "the device number ('courier devices' lists them)")
    int device;

    @Override
    int run(Workspace ws) throws Exception {
      return ws.withMessenger(username, new Screen(cli.out), messenger -> {
        messenger.unlinkDevice(device).await();
        cli.out.println("unlinked device " + device);
        return 0;
      });
    }
  }
}
