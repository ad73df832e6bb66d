package dev.expandcontract.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.store.BackfillChunk;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Scale-out figures with the shipped defaults (batch sizing and throttle of {@code
 * BackfillSettings.DEFAULTS}, 1 s poll, 2 s refresh, 10 s lease, {@code
 * ExpandContract.DEFAULT_CHUNK_ROWS}-row chunks; engines share a table only chunk by chunk, so use
 * at least a few chunks' worth of rows):
 *
 * <ol>
 *   <li>rows/s of the column backfill of N rows by 1, 2 and 3 engines on one database, each engine
 *       its own {@link ExpandContract} (as separate instances are) on its own thread, looping as
 *       the scheduler does;
 *   <li>takeover: an engine backfills alone with its refresh loop, then dies (its heartbeat and its
 *       batches stop, as after {@code kill -9}); a restarted instance (a new instance id) starts.
 *       Printed: seconds from the kill to the restarted instance's first batch, and to the first
 *       batch in the chunk the dead engine held.
 * </ol>
 *
 * <pre>
 * --rows N     rows of bench_users (default 200000)
 * --db LIST    postgres,mariadb (default both)
 * --trials T   runs per worker count (default 3)
 * </pre>
 */
public final class ScaleOutBenchmark {

  private static final String ID = "scale-out";
  private static final String PREFIX = "scale_out_";
  private static final Duration REFRESH = Duration.ofSeconds(2); // the starter's default
  private static final Duration POLL = Duration.ofSeconds(1); // the starter's default
  private static final Duration LEASE = Duration.ofSeconds(10); // the builder's default
  private static final BackfillSettings SETTINGS = BackfillSettings.DEFAULTS;

  private ScaleOutBenchmark() {}

  public static void main(String[] args) throws Exception {
    BackfillBenchmark.quietLogging();
    long rows = 200_000;
    int trials = 3;
    List<String> dbs = List.of("postgres", "mariadb");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[i + 1].replace("_", ""));
        case "--db" -> dbs = BackfillBenchmark.split(args[i + 1]);
        case "--trials" -> trials = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "expand-contract scale-out benchmark, %s, %d rows, %d trials, %d CPUs, Java %s%n",
        LocalDate.now(),
        rows,
        trials,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    for (String db : dbs) {
      TestDatabase database = TestDatabase.valueOf(db.toUpperCase(Locale.ROOT));
      try (HikariDataSource dataSource = database.create("scaleout_benchmark")) {
        BenchTables tables = new BenchTables(database, dataSource);
        System.out.printf(
            Locale.ROOT,
            "%n=== %s ===  load average %s%n",
            database,
            BackfillBenchmark.loadAverage());
        System.out.println("  engines  trial  seconds  rows/s");
        for (int engines = 1; engines <= 3; engines++) {
          List<Double> rates = new ArrayList<>();
          for (int trial = 1; trial <= trials; trial++) {
            tables.freshUsers(rows);
            dropState(dataSource);
            double seconds = backfill(dataSource, engines);
            check(tables);
            rates.add(rows / seconds);
            System.out.printf(
                Locale.ROOT, "  %7d  %5d  %7.2f  %6.0f%n", engines, trial, seconds, rows / seconds);
          }
          System.out.printf(
              Locale.ROOT, "  %d engine(s): median %.0f rows/s%n", engines, median(rates));
        }
        tables.freshUsers(rows);
        dropState(dataSource);
        takeover(dataSource, rows);
        check(tables);
        tables.dropAll();
      }
    }
  }

  /** Seconds from start-backfill until one engine's batch finished the run. */
  private static double backfill(DataSource dataSource, int count) throws Exception {
    List<ExpandContract> engines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      engines.add(build(dataSource, "engine-" + i));
    }
    AtomicBoolean finished = new AtomicBoolean();
    long started = System.nanoTime();
    engines.get(0).control().startBackfill(ID, "benchmark");
    AtomicLong finishedAt = new AtomicLong();
    List<CompletableFuture<Void>> loops = new ArrayList<>();
    for (ExpandContract ec : engines) {
      loops.add(
          CompletableFuture.runAsync(
              () -> {
                while (!finished.get()) {
                  BatchOutcome outcome = batch(ec);
                  if (outcome == BatchOutcome.FINISHED) {
                    finishedAt.set(System.nanoTime());
                    finished.set(true);
                  } else if (outcome == BatchOutcome.IDLE) {
                    return;
                  }
                  pauseAfter(outcome);
                }
              }));
    }
    CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
    if (finishedAt.get() == 0) {
      throw new IllegalStateException("no engine finished: " + engines.get(0).status(ID));
    }
    return (finishedAt.get() - started) / 1e9;
  }

  private static void takeover(DataSource dataSource, long rows) throws Exception {
    ExpandContract dying = build(dataSource, "dying");
    AtomicBoolean dyingAlive = new AtomicBoolean(true);
    CompletableFuture<Void> heartbeat = refreshLoop(dying, dyingAlive);
    dying.control().startBackfill(ID, "benchmark");
    while (dying.store().load(ID).orElseThrow().rowsDone() < rows / 3) {
      pauseAfter(batch(dying));
    }
    // Killed mid-batch: the batch leased its chunk, then its transaction died with the process
    // (rolled back, so only the lease is left). The kill lands at some point of the refresh cycle.
    BackfillChunk dead =
        dying.store().chunks().claim(ID, "dying", 0, 1, LEASE.toMillis()).orElseThrow();
    LockSupport.parkNanos((long) (Math.random() * REFRESH.toNanos()));
    dyingAlive.set(false);
    long killed = System.nanoTime();
    ExpandContract restarted = build(dataSource, "restarted");
    AtomicBoolean alive = new AtomicBoolean(true);
    CompletableFuture<Void> restartedHeartbeat = refreshLoop(restarted, alive);
    double firstBatch = -1;
    double deadChunkMoved = -1;
    BatchOutcome outcome;
    do {
      outcome = batch(restarted);
      double since = (System.nanoTime() - killed) / 1e9;
      if (outcome == BatchOutcome.COPIED && firstBatch < 0) {
        firstBatch = since;
      }
      if (deadChunkMoved < 0 && !"dying".equals(owner(restarted, dead.chunkNo()))) {
        deadChunkMoved = since;
      }
      pauseAfter(outcome);
    } while (outcome != BatchOutcome.FINISHED);
    alive.set(false);
    restartedHeartbeat.get();
    heartbeat.get();
    System.out.printf(
        Locale.ROOT,
        "  takeover after a kill (lease %s, refresh %s, poll %s): restarted instance's first batch"
            + " %.2f s after the kill; the dead engine's chunk %d resumed %.2f s after the kill%n",
        LEASE,
        REFRESH,
        POLL,
        firstBatch,
        dead.chunkNo(),
        deadChunkMoved);
  }

  private static String owner(ExpandContract ec, int chunkNo) {
    return ec.store().chunks().all(ID).get(chunkNo).owner();
  }

  private static CompletableFuture<Void> refreshLoop(ExpandContract ec, AtomicBoolean alive) {
    return CompletableFuture.runAsync(
        () -> {
          while (alive.get()) {
            ec.refresh();
            LockSupport.parkNanos(REFRESH.toNanos());
          }
        });
  }

  private static BatchOutcome batch(ExpandContract ec) {
    try {
      return ec.backfill().runBatch(ID);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What the starter's scheduler waits before the next call: the pause, or the poll interval. */
  private static void pauseAfter(BatchOutcome outcome) {
    LockSupport.parkNanos(
        outcome == BatchOutcome.COPIED ? SETTINGS.pauseBetweenBatches().toNanos() : POLL.toNanos());
  }

  private static ExpandContract build(DataSource dataSource, String instanceId) {
    return ExpandContract.builder(dataSource)
        .migration(
            Migration.column(ID)
                .table(BenchTables.USERS)
                .key("id")
                .map("email")
                .to("email_normalized")
                .using("lower(trim(email))")
                .backfill(SETTINGS)
                .build())
        .instanceId(instanceId)
        .tablePrefix(PREFIX)
        .build();
  }

  /** Every run starts from EXPANDED, with its own state tables. */
  private static void dropState(DataSource dataSource) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String table : List.of("migration", "transition", "instance", "chunk")) {
        statement.execute("DROP TABLE IF EXISTS " + PREFIX + table);
      }
    }
  }

  private static void check(BenchTables tables) throws Exception {
    long left = tables.usersNotBackfilled();
    if (left != 0) {
      throw new IllegalStateException(left + " rows not backfilled");
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
