package dev.expandcontract.bench;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.ddl.DdlChange;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.PtOnlineSchemaChangeExecutor;
import dev.expandcontract.core.ddl.ToolConnection;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.BackfillTuning;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Issue 11's under-load comparison: an open-loop OLTP load (a fixed schedule of events, latency
 * counted from each event's scheduled start, so that a stall is not hidden by a closed loop) runs
 * against {@code bench_users} while a change runs; p99 of the load during the change is divided by
 * its p99 with no change, measured in the same run on an identical fresh table.
 *
 * <pre>
 * --rows N        rows of the table (default 200000; the full size is 2000000)
 * --db LIST       postgres,mariadb (default both)
 * --rate R        events per second of the load, over 4 threads (default 2000)
 * --tunings LIST  extra library runs, each the shipped defaults with these tune settings, runs
 *                 separated by ';', e.g. "target-batch-time=25ms;target-batch-time=25ms,
 *                 pause-between-batches=0ms" (default "target-batch-time=250ms")
 * --baseline-seconds S  length of the warm-up and of the no-change window (default 10)
 * </pre>
 *
 * The library runs are driven the way the starter's scheduler drives them: one batch, then the
 * pause the engine's throttle decides.
 */
public final class LoadBenchmark {

  private static final int THREADS = 4;

  private final long rows;
  private final int rate;
  private final Duration baselineTime;
  private int runs;

  private LoadBenchmark(long rows, int rate, Duration baselineTime) {
    this.rows = rows;
    this.rate = rate;
    this.baselineTime = baselineTime;
  }

  public static void main(String[] args) throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("ROOT")).setLevel(Level.WARN);
    long rows = 200_000;
    int rate = 2000;
    List<String> dbs = List.of("postgres", "mariadb");
    List<String> tunings = List.of("target-batch-time=250ms");
    Duration baselineTime = Duration.ofSeconds(10);
    for (int i = 0; i + 1 < args.length; i += 2) {
      String value = args[i + 1];
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(value.replace("_", ""));
        case "--db" -> dbs = Arrays.asList(value.split(","));
        case "--rate" -> rate = Integer.parseInt(value);
        case "--tunings" -> tunings = Arrays.asList(value.split(";"));
        case "--baseline-seconds" -> baselineTime = Duration.ofSeconds(Long.parseLong(value));
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "expand-contract load benchmark, %s, %d rows, open-loop load %d events/s over %d threads"
            + " (50%% point SELECT, 50%% single-row UPDATE by random id), %d CPUs, load average"
            + " %s%n",
        LocalDate.now(),
        rows,
        rate,
        THREADS,
        Runtime.getRuntime().availableProcessors(),
        BackfillBenchmark.loadAverage());
    LoadBenchmark benchmark = new LoadBenchmark(rows, rate, baselineTime);
    for (String db : dbs) {
      TestDatabase database = TestDatabase.valueOf(db.toUpperCase(Locale.ROOT));
      try (HikariDataSource dataSource = database.create("load_benchmark")) {
        dataSource.setMaximumPoolSize(THREADS + 2);
        benchmark.run(database, dataSource, tunings);
      }
    }
  }

  private void run(TestDatabase database, HikariDataSource dataSource, List<String> tunings)
      throws Exception {
    BenchTables tables = new BenchTables(database, dataSource);
    System.out.printf(Locale.ROOT, "%n=== %s (%s) ===%n", database, tables.serverVersion());
    System.out.printf(
        Locale.ROOT,
        "  %-46s %9s %9s %9s %9s %10s %8s %7s%n",
        "change",
        "took ms",
        "p50 ms",
        "p99 ms",
        "max ms",
        "p99/base",
        "took/upd",
        "errors");
    tables.freshUsers(rows);
    // Warms the JVM and the pool up: an open loop never catches up on a backlog that a cold
    // start left behind when capacity is near the rate, and that would count against the baseline.
    underLoad(dataSource, () -> Thread.sleep(baselineTime.toMillis()));
    Window baseline = underLoad(dataSource, () -> Thread.sleep(baselineTime.toMillis()));
    baseline.print("no change (baseline)", baseline, 0);
    tables.freshUsers(rows);
    Window single =
        underLoad(
            dataSource,
            () -> {
              try (Connection c = dataSource.getConnection();
                  Statement s = c.createStatement()) {
                s.executeUpdate(BenchTables.SINGLE_UPDATE);
              }
            });
    single.print("one UPDATE", baseline, single.nanos);
    tables.freshUsers(rows);
    Window keyset = underLoad(dataSource, () -> keysetLoop(database, dataSource));
    if (tables.usersNotBackfilled() != 0) {
      throw new IllegalStateException("rows not updated by the keyset loop");
    }
    keyset.print("server-side keyset loop, 1000/commit", baseline, single.nanos);
    if (database == TestDatabase.MARIADB) {
      tables.freshUsers(rows);
      Window tool = underLoad(dataSource, () -> ptOnlineSchemaChange(dataSource));
      tool.print("pt-online-schema-change (rebuild)", baseline, single.nanos);
    }
    Map<String, BackfillSettings> settings = new LinkedHashMap<>();
    settings.put("library (shipped defaults)", BackfillSettings.DEFAULTS);
    for (String tuning : tunings) {
      Map<String, String> overrides = new LinkedHashMap<>();
      for (String pair : tuning.split(",")) {
        String[] nameValue = pair.trim().split("=", 2);
        overrides.put(nameValue[0], nameValue[1]);
      }
      settings.put(
          "library " + tuning.trim(), BackfillTuning.apply(BackfillSettings.DEFAULTS, overrides));
    }
    for (Map.Entry<String, BackfillSettings> run : settings.entrySet()) {
      BackfillSettings s = run.getValue();
      tables.freshUsers(rows);
      Migration migration = columnMigration("load-" + ++runs, s);
      ExpandContract ec =
          ExpandContract.builder(dataSource).migration(migration).instanceId("load").build();
      Map<ThrottleState.Level, Integer> levels = new EnumMap<>(ThrottleState.Level.class);
      Window library = underLoad(dataSource, () -> backfill(ec, migration, levels));
      if (tables.usersNotBackfilled() != 0) {
        throw new IllegalStateException("rows not backfilled");
      }
      library.print(run.getKey(), baseline, single.nanos);
      System.out.printf(Locale.ROOT, "    throttle level after each batch: %s%n", levels);
    }
    tables.dropAll();
  }

  private static Migration columnMigration(String id, BackfillSettings settings) {
    return Migration.column(id)
        .table(BenchTables.USERS)
        .key("id")
        .map("email")
        .to("email_normalized")
        .using("lower(trim(email))")
        .backfill(settings)
        .build();
  }

  /** One batch, then the pause the throttle decides, as the starter's scheduler does. */
  private static void backfill(
      ExpandContract ec, Migration migration, Map<ThrottleState.Level, Integer> levels)
      throws Exception {
    ec.control().startBackfill(migration.id(), "benchmark");
    BatchOutcome outcome;
    while ((outcome = ec.backfill().runBatch(migration.id())).moreWorkNow()) {
      levels.merge(ec.backfill().throttleState(migration.id()).level(), 1, Integer::sum);
      Thread.sleep(ec.backfill().pauseBeforeNextBatch(migration.id()).toMillis());
    }
    if (outcome != BatchOutcome.FINISHED) {
      throw new IllegalStateException("backfill ended " + outcome);
    }
  }

  /**
   * What a team writes by hand instead: a loop in the database that updates 1,000 keys per
   * transaction, flat out.
   */
  private static void keysetLoop(TestDatabase database, DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      if (database == TestDatabase.POSTGRES) {
        s.execute(
            "DO $$ DECLARE done_to BIGINT := 0; upto BIGINT; BEGIN LOOP"
                + " SELECT max(id) INTO upto FROM (SELECT id FROM bench_users WHERE id > done_to"
                + " ORDER BY id LIMIT 1000) s; EXIT WHEN upto IS NULL;"
                + " UPDATE bench_users SET email_normalized = lower(trim(email))"
                + " WHERE id > done_to AND id <= upto; done_to := upto; COMMIT; END LOOP; END $$");
      } else {
        s.execute("DROP PROCEDURE IF EXISTS bench_keyset_loop");
        s.execute(
            "CREATE PROCEDURE bench_keyset_loop() BEGIN DECLARE done_to BIGINT DEFAULT 0;"
                + " DECLARE upto BIGINT; copying: LOOP SELECT MAX(id) INTO upto FROM (SELECT id"
                + " FROM bench_users WHERE id > done_to ORDER BY id LIMIT 1000) s;"
                + " IF upto IS NULL THEN LEAVE copying; END IF;"
                + " UPDATE bench_users SET email_normalized = LOWER(TRIM(email))"
                + " WHERE id > done_to AND id <= upto; SET done_to = upto; COMMIT;"
                + " END LOOP; END");
        s.execute("CALL bench_keyset_loop()");
      }
    }
  }

  /**
   * The tool MariaDB teams run for a change that rewrites a table, through the library's own
   * executor (its shipped settings): a rebuild of the same table, row copy and triggers included.
   * It writes no new values, so only its cost to the load is compared.
   */
  private static void ptOnlineSchemaChange(DataSource dataSource) throws SQLException {
    PtOnlineSchemaChangeExecutor tool =
        new PtOnlineSchemaChangeExecutor(
            "pt-online-schema-change",
            DatabaseType.MYSQL,
            ToolConnection.of(dataSource, "").orElseThrow(),
            DdlSettings.DEFAULTS,
            (executor, change, line) -> {});
    try (Connection c = dataSource.getConnection()) {
      tool.execute(
          c, DdlChange.parse("ALTER TABLE " + BenchTables.USERS + " ENGINE=InnoDB").orElseThrow());
    }
  }

  interface Change {
    void run() throws Exception;
  }

  /** Runs the change while the open-loop load runs; the window is the change's duration. */
  private Window underLoad(HikariDataSource dataSource, Change change) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong errors = new AtomicLong();
    long[][] latencies = new long[THREADS][];
    int[] counts = new int[THREADS];
    long periodNanos = 1_000_000_000L * THREADS / rate;
    long start = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      latencies[t] = new long[1 << 16];
      Thread worker =
          new Thread(
              () -> {
                long scheduled = start + thread * periodNanos / THREADS;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                  long wait = scheduled - System.nanoTime();
                  if (wait > 0) {
                    LockSupport.parkNanos(wait);
                    continue;
                  }
                  long id = 1 + random.nextLong(rows);
                  boolean read = random.nextBoolean();
                  try (Connection c = dataSource.getConnection();
                      PreparedStatement s =
                          c.prepareStatement(
                              read
                                  ? "SELECT email FROM bench_users WHERE id = ?"
                                  : "UPDATE bench_users SET email = email WHERE id = ?")) {
                    s.setLong(1, id);
                    s.execute();
                  } catch (SQLException e) {
                    errors.incrementAndGet();
                  }
                  long latency = System.nanoTime() - scheduled;
                  if (counts[thread] == latencies[thread].length) {
                    latencies[thread] = Arrays.copyOf(latencies[thread], counts[thread] * 2);
                  }
                  latencies[thread][counts[thread]++] = latency;
                  scheduled += periodNanos;
                }
              });
      worker.start();
      threads.add(worker);
    }
    long changeStarted = System.nanoTime();
    change.run();
    long took = System.nanoTime() - changeStarted;
    stop.set(true);
    for (Thread thread : threads) {
      thread.join();
    }
    int total = Arrays.stream(counts).sum();
    long[] all = new long[total];
    int at = 0;
    for (int t = 0; t < THREADS; t++) {
      System.arraycopy(latencies[t], 0, all, at, counts[t]);
      at += counts[t];
    }
    Arrays.sort(all);
    return new Window(took, all, errors.get());
  }

  private record Window(long nanos, long[] sorted, long errors) {

    double percentile(double p) {
      if (sorted.length == 0) {
        return 0;
      }
      return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    void print(String name, Window baseline, long singleNanos) {
      System.out.printf(
          Locale.ROOT,
          "  %-46s %9.0f %9.2f %9.2f %9.1f %10.1f %8s %7d%n",
          name,
          nanos / 1e6,
          percentile(0.5),
          percentile(0.99),
          percentile(1.0),
          percentile(0.99) / baseline.percentile(0.99),
          singleNanos == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) nanos / singleNanos),
          errors);
    }
  }
}
