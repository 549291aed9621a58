package io.courier.push;

import io.courier.config.PushConfig;
import io.courier.protocol.DeviceId;
import io.courier.redis.RedisClients;
import io.courier.redis.RedisScript;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's push worker (one per node, on every node; deployed when {@code push.enabled}). It reads the consumer
 * group {@code workers} of {@code pushq:{push}} as consumer {@code <node id>} on a connection of its own (a blocking
 * read would stall every command pipelined behind it on a shared one), and settles each entry
 * ({@link PushDelivery}) before it acks it. Every second it also moves the wake-ups due by now from
 * {@code pushlater:{push}} into the queue ({@code push_move.lua}, safe on many nodes at once) and takes over entries
 * another consumer read and left unsettled longer than {@code push.takeover} ({@code XAUTOCLAIM}: that node is
 * taken for dead); every few seconds it trims settled entries off the queue and measures it.
 *
 * @implNote Exactly once, but for one case: a worker that dies after its push service accepted a wake-up and before
 * it recorded that ({@code push_settle.lua}) leaves a claim that another worker takes over after
 * {@code push.takeover} and sends again. A duplicate queue entry is harmless: the claim finds nothing due, or the
 * wake-up claimed by a live worker ({@code busy}).
 */
public final class PushWorker extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(PushWorker.class);
  private static final RedisScript MOVE = RedisScript.load("push_move.lua");
  private static final RedisScript TRIM = RedisScript.load("push_trim.lua");
  /** Entries read (or taken over) at once; each batch is settled before the next read. */
  static final int BATCH = 64;
  /** How long one blocking read waits for entries, so a stopping worker notices soon. */
  static final Duration BLOCK = Duration.ofSeconds(1);
  /** How often due wake-ups are moved from pushlater and stale entries taken over. */
  static final Duration TICK = Duration.ofSeconds(1);
  /** Wake-ups moved per script call (a call holds Redis for its length); repeated while more are due. */
  static final int MOVE_LIMIT = 100;
  /** Ticks between two trims and measurements of the queue. */
  static final int TRIM_TICKS = 5;
  /** The wait after the read connection failed (Redis restarting, say) before connecting again. */
  static final Duration RECONNECT_WAIT = Duration.ofSeconds(1);
  /** Pooled connections for the worker's scripts. */
  static final int POOL_SIZE = 4;

  private final PushConfig config;
  private final Duration retention;
  private final String redisUrl;
  private final boolean cluster;
  private final String consumer;
  private final Supplier<Collection<String>> liveNodes;
  private final Map<String, PushSender> senders;
  private Redis redis;
  private PushDelivery delivery;
  private RedisConnection reader;
  private boolean stopped;
  private boolean ticking;
  private int ticks;
  private String autoclaimCursor = "0-0";

  /**
   * @param consumer  this node's consumer name in the group: its node id
   * @param liveNodes the ids of the nodes alive now (a route naming another node is stale)
   * @param senders   the sender for each target kind; a wake-up for a kind without one is dropped and counted
   */
  public PushWorker(PushConfig config, Duration retention, String redisUrl, boolean cluster, String consumer,
      Supplier<Collection<String>> liveNodes, Map<String, PushSender> senders) {
    this.config = config;
    this.retention = retention;
    this.redisUrl = redisUrl;
    this.cluster = cluster;
    this.consumer = consumer;
    this.liveNodes = liveNodes;
    this.senders = Map.copyOf(senders);
  }

  @Override
  public Future<?> start() {
    redis = RedisClients.create(vertx, redisUrl, POOL_SIZE, cluster);
    delivery = new PushDelivery(redis, senders, new PushRegistrations(redis), config.window(), config.takeover(),
        retention, liveNodes);
    // Redis down at start does not stop the node: the read loop creates the group again until Redis answers.
    return createGroup()
        .recover(e -> {
          log.atWarn().addKeyValue("error", e.getMessage()).log("push queue group not created yet; retrying");
          return Future.succeededFuture();
        })
        .onSuccess(v -> {
          vertx.setPeriodic(TICK.toMillis(), id -> tick());
          readLoop();
        });
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    Future<Void> closing = reader == null ? Future.succeededFuture() : reader.close();
    return closing.eventually(() -> Future.all(senders.values().stream().map(PushSender::close).toList()))
        .eventually(() -> redis.close());
  }

  /** Creates the group once for the whole cluster, reading from the queue's start; BUSYGROUP: it exists already. */
  private Future<Void> createGroup() {
    return redis.send(Request.cmd(Command.XGROUP).arg("CREATE").arg(PushRedisKeys.queue())
            .arg(PushRedisKeys.WORKERS).arg("0").arg("MKSTREAM"))
        .<Void>mapEmpty()
        .recover(e -> e.getMessage() != null && e.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private void readLoop() {
    if (stopped) {
      return;
    }
    readerConnection()
        .compose(c -> c.send(Request.cmd(Command.XREADGROUP).arg("GROUP").arg(PushRedisKeys.WORKERS).arg(consumer)
            .arg("COUNT").arg(BATCH).arg("BLOCK").arg(BLOCK.toMillis())
            .arg("STREAMS").arg(PushRedisKeys.queue()).arg(">")))
        .compose(reply -> settleAll(entries(reply), false))
        .onComplete(done -> {
          if (done.succeeded() || stopped) {
            readLoop();
            return;
          }
          log.atWarn().addKeyValue("error", done.cause().getMessage()).log("push queue read failed; retrying");
          dropReader();
          vertx.setTimer(RECONNECT_WAIT.toMillis(), id -> createGroup().onComplete(v -> readLoop()));
        });
  }

  private Future<RedisConnection> readerConnection() {
    if (reader != null) {
      return Future.succeededFuture(reader);
    }
    return redis.connect().onSuccess(c -> {
      reader = c;
      c.exceptionHandler(e -> dropReader());
      c.endHandler(v -> dropReader());
    });
  }

  private void dropReader() {
    RedisConnection c = reader;
    reader = null;
    if (c != null) {
      c.close();
    }
  }

  /** Settles each entry and acks it once settled; one that fails stays pending and is taken over later. */
  private Future<Void> settleAll(List<Entry> entries, boolean takenOver) {
    List<Future<Void>> settled = new ArrayList<>(entries.size());
    for (Entry entry : entries) {
      if (takenOver) {
        PushMetrics.TAKEN_OVER.increment();
      }
      settled.add((entry.device() == null ? Future.<Void>succeededFuture() : delivery.deliver(entry.device()))
          .compose(v -> redis.send(Request.cmd(Command.XACK).arg(PushRedisKeys.queue())
              .arg(PushRedisKeys.WORKERS).arg(entry.id())))
          .<Void>mapEmpty()
          .onFailure(e -> log.atWarn().addKeyValue("entry", entry.id()).addKeyValue("error", e.getMessage())
              .log("push entry not settled; another try after the takeover")));
    }
    return Future.join(settled).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** Once a second: move due wake-ups into the queue, take over stale entries; now and then trim and measure. */
  private void tick() {
    if (stopped || ticking) {
      return;
    }
    ticking = true;
    move()
        .compose(v -> takeOver())
        .compose(v -> ++ticks % TRIM_TICKS == 0 ? trim() : Future.succeededFuture())
        .onFailure(e -> log.atDebug().addKeyValue("error", e.getMessage()).log("push tick failed"))
        .onComplete(done -> ticking = false);
  }

  private Future<Void> move() {
    return MOVE.run(redis, List.of(PushRedisKeys.later(), PushRedisKeys.queue()), List.of(Integer.toString(MOVE_LIMIT)))
        .compose(moved -> moved.toInteger() >= MOVE_LIMIT && !stopped ? move() : Future.succeededFuture());
  }

  private Future<Void> takeOver() {
    return redis.send(Request.cmd(Command.XAUTOCLAIM).arg(PushRedisKeys.queue()).arg(PushRedisKeys.WORKERS)
            .arg(consumer).arg(config.takeover().toMillis()).arg(autoclaimCursor).arg("COUNT").arg(BATCH))
        .compose(reply -> {
          autoclaimCursor = reply.get(0).toString();
          return settleAll(entryList(reply.get(1)), true);
        });
  }

  private Future<Void> trim() {
    return TRIM.run(redis, List.of(PushRedisKeys.queue(), PushRedisKeys.later()), List.of(PushRedisKeys.WORKERS))
        .onSuccess(reply -> {
          String oldest = reply.get(1).toString();
          long age = oldest.isEmpty() ? 0 : Math.max(0, System.currentTimeMillis() - entryTime(oldest));
          PushMetrics.queue(reply.get(0).toLong(), reply.get(2).toLong(), age);
        })
        .mapEmpty();
  }

  /** One queue entry: its id and the device it names (null for an entry this version cannot read). */
  private record Entry(String id, DeviceId device) {}

  /** The entries of an XREADGROUP reply: a RESP3 map of stream to entries, or RESP2 [[stream, entries]]. */
  private static List<Entry> entries(Response reply) {
    if (reply == null) {
      return List.of();
    }
    return entryList(reply.isMap() ? reply.get(PushRedisKeys.queue()) : reply.get(0).get(1));
  }

  private static List<Entry> entryList(Response items) {
    List<Entry> entries = new ArrayList<>(items == null ? 0 : items.size());
    if (items == null) {
      return entries;
    }
    for (Response item : items) {
      if (item == null || item.get(1) == null) {
        continue; // deleted meanwhile (XAUTOCLAIM lists it apart and drops it from the pending list)
      }
      Map<String, String> fields = PushTargetFields.fields(item.get(1), 0);
      String account = fields.get("a");
      String device = fields.get("d");
      entries.add(new Entry(item.get(0).toString(), account == null || device == null || !device.matches("\\d{1,9}")
          ? null : new DeviceId(account, Integer.parseInt(device))));
    }
    return entries;
  }

  private static long entryTime(String id) {
    int dash = id.indexOf('-');
    return Long.parseLong(dash < 0 ? id : id.substring(0, dash));
  }
}
