package io.courier.cli;

import io.courier.client.Receipt;
import io.courier.client.media.AttachmentPointer;
import io.courier.client.signal.DecryptedMessage;
import io.courier.client.signal.MessengerListener;
import io.courier.client.signal.SecureMessenger;
import io.vertx.core.Promise;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the CLI shows: every message as it arrives ({@code bob: hi}, marked read because it was shown), copies of
 * what this account's other devices sent ({@code me -> bob: hi}), attachments, saved as they arrive
 * ({@code bob sent photo.jpg (1.2 MiB), saved to ...}, see {@link Downloads}), ticks ({@code delivered},
 * {@code read}), and identity warnings. Runs on the messenger's context.
 */
final class Screen implements MessengerListener {
  private final PrintStream out;
  private final Promise<Void> drained = Promise.promise();
  private SecureMessenger messenger;
  private Path downloadsFolder;
  private Downloads downloads;
  /** Attachments that arrived before {@link #attach}: the backlog comes as soon as the messenger connects. */
  private final List<DecryptedMessage> waitingForAttach = new ArrayList<>();

  Screen(PrintStream out) {
    this.out = out;
  }

  /** Saves received attachments into {@code folder}; null keeps the default. */
  Screen saveTo(Path folder) {
    this.downloadsFolder = folder;
    return this;
  }

  /** Where attachments go unless {@link #saveTo} chose a folder; call before the messenger opens. */
  void defaultDownloads(Path folder) {
    if (downloadsFolder == null) {
      downloadsFolder = folder;
    }
  }

  /** Starts acting for {@code messenger} (marking read, saving attachments), also for what arrived before. */
  synchronized void attach(SecureMessenger messenger) {
    this.messenger = messenger;
    if (downloadsFolder != null) {
      downloads = new Downloads(out, downloadsFolder);
    }
    waitingForAttach.forEach(this::onAttachment);
    waitingForAttach.clear();
  }

  /** Completes when every attachment that arrived so far is saved (or failed). */
  synchronized io.vertx.core.Future<Void> downloadsSettled() {
    return downloads == null ? io.vertx.core.Future.succeededFuture() : downloads.settled();
  }

  /** Completes once the backlog waiting at connect time has been shown. */
  io.vertx.core.Future<Void> drained() {
    return drained.future();
  }

  @Override
  public void onMessage(DecryptedMessage message) {
    if (AttachmentPointer.isPointer(message.plaintext())) {
      onAttachment(message);
      return;
    }
    String text = new String(message.plaintext(), StandardCharsets.UTF_8);
    if (message.isSync()) {
      out.println("me -> " + message.to() + ": " + text);
      return;
    }
    out.println(message.from() + ": " + text);
    if (messenger != null) {
      messenger.markRead(message.from(), List.of(message.id()));
    }
  }

  private synchronized void onAttachment(DecryptedMessage message) {
    if (messenger == null) {
      waitingForAttach.add(message);
      return;
    }
    if (downloads == null) {
      out.println((message.isSync() ? "me -> " + message.to() : message.from()) + " sent an attachment; it was not "
          + "saved");
      return;
    }
    downloads.save(messenger, message);
    if (!message.isSync()) {
      messenger.markRead(message.from(), List.of(message.id()));
    }
  }

  @Override
  public void onReceipt(Receipt receipt) {
    String tick = Receipt.READ.equals(receipt.kind()) ? "read     " : "delivered";
    receipt.ids().forEach(id -> out.println("  " + tick + " " + id + " (" + receipt.by() + ")"));
  }

  @Override
  public void onUndecryptable(String from, int fromDevice, String id, String reason) {
    out.println("! a message from " + from + " (device " + fromDevice + ") could not be decrypted: " + reason);
  }

  @Override
  public void onIdentityChanged(String account, String safetyNumber) {
    out.println("! the safety number with " + account + " changed: " + account + " re-registered, or someone is in "
        + "the middle. Compare it with " + account + " in person:");
    out.println("  " + safetyNumber);
    out.println("  Nothing more is sent to " + account + " until you run 'courier trust <you> " + account + "'.");
  }

  @Override
  public void onDrained() {
    drained.tryComplete();
  }

  @Override
  public void onClosed(int code, String reason, boolean willReconnect) {
    if (code != 1000) {
      out.println("disconnected (" + code + " " + reason + ")" + (willReconnect ? "; reconnecting" : ""));
    }
  }
}
