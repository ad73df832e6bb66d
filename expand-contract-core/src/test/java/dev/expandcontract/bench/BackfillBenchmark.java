package dev.expandcontract.bench;

import ch.qos.logback.classic.Level;
import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.backfill.KeyRange;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.sql.SchemaValidator;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.test.TestDatabase;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.LoggerFactory;

/**
 * Times the backfill engine against one set-based statement doing the same work, on identical fresh
 * tables, in the same run (so that ratios mean something on a noisy machine), and samples the heap
 * of backfills of two table sizes. A main class, not a test: run it as BENCHMARKS.md says.
 *
 * <pre>
 * --rows N          rows of the tables (default 200000); the heap check also runs N/4
 * --db LIST         postgres,mariadb (default both)
 * --trials T        measurements of each side, alternating which goes first (default 5)
 * --only LIST       column,table,memory (default all three)
 * --sizes LIST      table sizes of the memory run (default N/4,N), e.g. 1000000,4000000,16000000
 *                   for the scale check: time per row and heap per size
 * --profile         also run one backfill of each kind through a timing DataSource and print
 *                   where its time goes, JDBC call by JDBC call
 * --batch S --min-batch S --max-batch S --target-ms MS
 *                   override the engine's adaptive-size settings (defaults: BackfillSettings.DEFAULTS)
 * </pre>
 */
public final class BackfillBenchmark {

  private final long rows;
  private final int trials;
  private final List<String> only;
  private final BackfillSettings settings;
  private final boolean profile;
  private final List<Long> sizes;
  private int runs;

  private BackfillBenchmark(
      long rows,
      int trials,
      List<String> only,
      BackfillSettings settings,
      boolean profile,
      List<Long> sizes) {
    this.sizes = sizes;
    this.rows = rows;
    this.trials = trials;
    this.only = only;
    this.settings = settings;
    this.profile = profile;
  }

  public static void main(String[] args) throws Exception {
    quietLogging();
    long rows = 200_000;
    int trials = 5;
    List<String> dbs = List.of("postgres", "mariadb");
    List<String> only = List.of("column", "table", "memory");
    BackfillSettings d = BackfillSettings.DEFAULTS;
    int batch = d.batchSize();
    int minBatch = d.minBatchSize();
    int maxBatch = d.maxBatchSize();
    long targetMs = d.targetBatchTime().toMillis();
    boolean profile = false;
    List<Long> sizes = List.of();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--profile")) {
        profile = true;
        continue;
      }
      String value = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(value.replace("_", ""));
        case "--trials" -> trials = Integer.parseInt(value);
        case "--sizes" ->
            sizes =
                Arrays.stream(value.split(","))
                    .map(v -> Long.parseLong(v.replace("_", "")))
                    .toList();
        case "--db" -> dbs = split(value);
        case "--only" -> only = split(value);
        case "--batch" -> batch = Integer.parseInt(value);
        case "--min-batch" -> minBatch = Integer.parseInt(value);
        case "--max-batch" -> maxBatch = Integer.parseInt(value);
        case "--target-ms" -> targetMs = Long.parseLong(value);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
      i++;
    }
    // The shipped defaults, driven as the starter drives them: after each batch the pause the
    // throttle decides (none while nothing else runs on the database).
    BackfillSettings settings =
        new BackfillSettings(
            batch,
            minBatch,
            maxBatch,
            Duration.ofMillis(targetMs),
            d.pauseBetweenBatches(),
            d.lockTimeout(),
            d.statementTimeout(),
            d.maxRetries(),
            d.retryBackoff(),
            d.throttle());
    System.out.printf(
        Locale.ROOT,
        "expand-contract backfill benchmark, %s, %d rows, %d trials, %d CPUs, Java %s, max heap %d"
            + " MB%nengine settings: start batch %d, min %d, max %d, target %d ms, pause %d ms while"
            + " the service is active (the throttle's; none while nothing else runs)%n",
        LocalDate.now(),
        rows,
        trials,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        Runtime.getRuntime().maxMemory() >> 20,
        settings.batchSize(),
        settings.minBatchSize(),
        settings.maxBatchSize(),
        settings.targetBatchTime().toMillis(),
        settings.pauseBetweenBatches().toMillis());
    BackfillBenchmark benchmark =
        new BackfillBenchmark(rows, trials, only, settings, profile, sizes);
    long started = System.nanoTime();
    for (String db : dbs) {
      TestDatabase database = TestDatabase.valueOf(db.toUpperCase(Locale.ROOT));
      try (HikariDataSource dataSource = database.create("backfill_benchmark")) {
        benchmark.run(database, dataSource);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%nwhole run: %.0f s; load average at the end %s%n",
        seconds(System.nanoTime() - started),
        loadAverage());
  }

  private void run(TestDatabase database, DataSource dataSource) throws Exception {
    BenchTables tables = new BenchTables(database, dataSource);
    System.out.printf(
        Locale.ROOT,
        "%n=== %s (%s) ===  load average %s%n",
        database,
        tables.serverVersion(),
        loadAverage());
    if (only.contains("column")) {
      compare(
          "column migration: email -> email_normalized = lower(trim(email))",
          dataSource,
          () -> tables.freshUsers(rows),
          BenchTables.SINGLE_UPDATE,
          () -> columnMigration("col-" + ++runs),
          tables::usersNotBackfilled);
    }
    if (only.contains("table")) {
      compare(
          "table migration: customers -> customer_addresses(customer_id, street, city,"
              + " postal_code)",
          dataSource,
          () -> tables.freshCustomers(rows),
          BenchTables.SINGLE_INSERT,
          () -> tableMigration("tab-" + ++runs),
          tables::customersNotBackfilled);
    }
    if (only.contains("memory")) {
      memory(dataSource, tables);
    }
    tables.dropAll();
  }

  // ---- time: one statement vs the engine ---------------------------------------------------

  /**
   * Per trial, on a fresh table each: the single statement, the engine's own copy statement run
   * once over the whole key range (same locks and idempotence as a batch, no batching), and the
   * engine's batched backfill; which goes first alternates between trials.
   */
  private void compare(
      String title,
      DataSource dataSource,
      Setup fresh,
      String singleSql,
      Supplier<Migration> migrations,
      Check notBackfilled)
      throws Exception {
    System.out.printf(Locale.ROOT, "%n%s, %d rows%n", title, rows);
    System.out.printf(
        Locale.ROOT,
        "  (engine SQL once: the engine's own copy statement over the whole key range in one"
            + " transaction; in-batch: time the engine measured inside its batches, cutting the"
            + " range and copying; rest: everything else, i.e. start, claim, state reads, session"
            + " settings, checkpoint, commit)%n");
    System.out.printf(
        Locale.ROOT,
        "  trial  first   single ms  engine SQL once ms  engine ms  engine/single"
            + "  engine/SQL once  engine rows/s  batches  final size  in-batch ms  rest ms"
            + "  rest/batch ms%n");
    List<Long> singles = new ArrayList<>();
    List<Long> onces = new ArrayList<>();
    List<EngineRun> engines = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (int trial = 1; trial <= trials; trial++) {
      boolean singleFirst = trial % 2 == 1;
      long singleNanos = 0;
      long onceNanos = 0;
      EngineRun run = null;
      for (int step = 0; step < 3; step++) {
        int side = singleFirst ? step : 2 - step;
        fresh.run();
        switch (side) {
          case 0 -> singleNanos = timeStatement(dataSource, singleSql);
          case 1 -> onceNanos = timeCopyOnce(dataSource, migrations.get());
          default -> run = runEngine(dataSource, migrations.get());
        }
        long wrong = notBackfilled.count();
        if (wrong != 0) {
          throw new IllegalStateException(wrong + " rows not backfilled after " + title);
        }
      }
      singles.add(singleNanos);
      onces.add(onceNanos);
      engines.add(run);
      double ratio = (double) run.nanos / singleNanos;
      ratios.add(ratio);
      System.out.printf(
          Locale.ROOT,
          "  %5d  %-6s %10.0f %19.0f %10.0f %14.2f %16.2f %14.0f %8d %11d %12.0f %8.0f %14.1f%n",
          trial,
          singleFirst ? "single" : "engine",
          millis(singleNanos),
          millis(onceNanos),
          millis(run.nanos),
          ratio,
          (double) run.nanos / onceNanos,
          rows / seconds(run.nanos),
          run.batches(),
          run.finalSize(),
          millis(run.inBatchNanos),
          millis(run.nanos - run.inBatchNanos),
          millis(run.nanos - run.inBatchNanos) / run.batches());
    }
    long medianSingle = median(singles);
    long medianOnce = median(onces);
    EngineRun medianEngine =
        engines.stream()
            .sorted(Comparator.comparingLong(EngineRun::nanos))
            .toList()
            .get(engines.size() / 2);
    System.out.printf(
        Locale.ROOT,
        "  median: single %.0f ms (%.0f rows/s); engine SQL once %.0f ms; engine %.0f ms"
            + " (%.0f rows/s, %d batches, final batch size %d)%n"
            + "  engine/single %.2f (per-trial ratios: median %.2f, min %.2f, max %.2f);"
            + " engine SQL once/single %.2f%n",
        millis(medianSingle),
        rows / seconds(medianSingle),
        millis(medianOnce),
        millis(medianEngine.nanos),
        rows / seconds(medianEngine.nanos),
        medianEngine.batches(),
        medianEngine.finalSize(),
        (double) medianEngine.nanos / medianSingle,
        medianDouble(ratios),
        ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0),
        ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0),
        (double) medianOnce / medianSingle);
    System.out.println("  batch sizes of the median engine run: " + medianEngine.schedule());
    if (profile) {
      fresh.run();
      TimingDataSource timing = new TimingDataSource(dataSource);
      Migration migration = migrations.get();
      BatchLog log = new BatchLog();
      ExpandContract ec = build(timing, migration, log);
      timing.reset();
      long started = System.nanoTime();
      backfill(ec, migration.id());
      EngineRun run = log.result(System.nanoTime() - started);
      System.out.printf(
          Locale.ROOT,
          "  profiled engine run: %.0f ms, %d batches; JDBC calls by total time:%n",
          millis(run.nanos),
          run.batches());
      timing.print("    ");
    }
  }

  /** The engine's copy statement for the whole key range, once, in one transaction. */
  private static long timeCopyOnce(DataSource dataSource, Migration migration) throws SQLException {
    SqlDialect dialect = DatabaseType.detect(dataSource).dialect();
    try (Connection connection = dataSource.getConnection()) {
      MigrationSql sql = new SchemaValidator(dialect).validate(connection, migration);
      Object upper = KeyRange.end(connection, sql, sql.maxOldKey());
      try (PreparedStatement statement = connection.prepareStatement(sql.copyRange(false))) {
        sql.keyType().bind(statement, 1, upper);
        long started = System.nanoTime();
        statement.executeUpdate(); // auto-commit: the time includes the commit
        return System.nanoTime() - started;
      }
    }
  }

  private static long timeStatement(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      long started = System.nanoTime();
      statement.executeUpdate(sql); // auto-commit: the time includes the commit
      return System.nanoTime() - started;
    }
  }

  /** Builds the library (validation included, not timed), then times start + every batch. */
  private EngineRun runEngine(DataSource dataSource, Migration migration)
      throws InterruptedException {
    BatchLog log = new BatchLog();
    ExpandContract ec = build(dataSource, migration, log);
    long started = System.nanoTime();
    backfill(ec, migration.id());
    return log.result(System.nanoTime() - started);
  }

  private static ExpandContract build(
      DataSource dataSource, Migration migration, ExpandContractListener listener) {
    return ExpandContract.builder(dataSource)
        .migration(migration)
        .listener(listener)
        .instanceId("benchmark")
        .build();
  }

  private static void backfill(ExpandContract ec, String id) throws InterruptedException {
    ec.control().startBackfill(id, "benchmark");
    BatchOutcome outcome;
    while ((outcome = ec.backfill().runBatch(id)).moreWorkNow()) {
      Thread.sleep(ec.backfill().pauseBeforeNextBatch(id).toMillis());
    }
    if (outcome != BatchOutcome.FINISHED) {
      throw new IllegalStateException(
          "backfill of " + id + " ended " + outcome + ": " + ec.status(id).lastError());
    }
  }

  private Migration columnMigration(String id) {
    return Migration.column(id)
        .table(BenchTables.USERS)
        .key("id")
        .map("email")
        .to("email_normalized")
        .using("lower(trim(email))")
        .backfill(settings)
        .build();
  }

  private Migration tableMigration(String id) {
    return Migration.table(id)
        .from(BenchTables.CUSTOMERS)
        .key("id")
        .into(BenchTables.ADDRESSES)
        .newKey("customer_id")
        .map("street")
        .to("street")
        .map("city")
        .to("city")
        .map("zip")
        .to("postal_code")
        .backfill(settings)
        .build();
  }

  // ---- memory: backfills of two table sizes -------------------------------------------------

  private void memory(DataSource dataSource, BenchTables tables) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "%nscale and heap of the column migration's backfill, shipped defaults (heap sampled every"
            + " 10 ms after System.gc(); coarse; per-row: this size's time per row over the"
            + " previous size's)%n");
    System.out.printf(
        Locale.ROOT,
        "  %9s  %9s  %9s  %8s  %7s  %11s  %12s  %15s  %15s  %17s  %18s%n",
        "rows",
        "ms",
        "rows/s",
        "per-row",
        "batches",
        "baseline MB",
        "peak used MB",
        "peak-baseline MB",
        "retained MB (gc)",
        "allocated KB/batch",
        "allocated MB total");
    long previousSize = 0;
    long previousNanos = 0;
    for (long size : sizes.isEmpty() ? List.of(Math.max(1, rows / 4), rows) : sizes) {
      tables.freshUsers(size);
      Migration migration = columnMigration("mem-" + ++runs);
      BatchLog log = new BatchLog();
      ExpandContract ec = build(dataSource, migration, log);
      long allocatedBefore = allocatedByThisThread();
      long baseline = HeapSampler.usedHeapAfterGc();
      long peak;
      long nanos;
      try (HeapSampler sampler = HeapSampler.start(10)) {
        long started = System.nanoTime();
        backfill(ec, migration.id());
        nanos = System.nanoTime() - started;
        peak = sampler.peak();
      }
      long allocated = allocatedByThisThread() - allocatedBefore;
      long retained = HeapSampler.usedHeapAfterGc() - baseline;
      EngineRun run = log.result(nanos);
      if (tables.usersNotBackfilled() != 0) {
        throw new IllegalStateException("rows not backfilled in the memory run");
      }
      System.out.printf(
          Locale.ROOT,
          "  %9d  %9.0f  %9.0f  %8s  %7d  %11.1f  %12.1f  %16.1f  %15.1f  %17.0f  %18.1f%n",
          size,
          millis(nanos),
          size / seconds(nanos),
          previousSize == 0
              ? "-"
              : String.format(
                  Locale.ROOT,
                  "%.2f",
                  ((double) nanos / size) / ((double) previousNanos / previousSize)),
          run.batches(),
          mb(baseline),
          mb(peak),
          mb(peak - baseline),
          mb(retained),
          allocated / 1024.0 / run.batches(),
          mb(allocated));
      previousSize = size;
      previousNanos = nanos;
    }
  }

  private static long allocatedByThisThread() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
      return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
    }
    return 0;
  }

  // ---- plumbing -----------------------------------------------------------------------------

  /** Collects the engine's batch events. */
  private static final class BatchLog implements ExpandContractListener {
    private final List<Integer> sizes = new ArrayList<>();
    private long inBatchNanos;

    @Override
    public synchronized void batchCompleted(BatchCompleted batch) {
      sizes.add(batch.batchSize());
      inBatchNanos += batch.duration().toNanos();
    }

    synchronized EngineRun result(long nanos) {
      return new EngineRun(nanos, List.copyOf(sizes), inBatchNanos);
    }
  }

  /**
   * One engine backfill.
   *
   * @param sizes the batch size each batch was cut with, in order
   * @param inBatchNanos time the engine measured inside batches (cutting the range + the copy)
   */
  private record EngineRun(long nanos, List<Integer> sizes, long inBatchNanos) {
    int batches() {
      return sizes.size();
    }

    int finalSize() {
      return sizes.isEmpty() ? 0 : sizes.get(sizes.size() - 1);
    }

    /** Run-length encoded: "1000, 2000, 20000 x8". */
    String schedule() {
      List<String> parts = new ArrayList<>();
      for (int i = 0; i < sizes.size(); ) {
        int j = i;
        while (j < sizes.size() && sizes.get(j).equals(sizes.get(i))) {
          j++;
        }
        parts.add(sizes.get(i) + (j - i > 1 ? " x" + (j - i) : ""));
        i = j;
      }
      return String.join(", ", parts);
    }
  }

  @FunctionalInterface
  private interface Setup {
    void run() throws Exception;
  }

  @FunctionalInterface
  private interface Check {
    long count() throws Exception;
  }

  static void quietLogging() {
    org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(Level.WARN);
    }
    // Looking for Docker before falling back to the local servers logs an ERROR: not ours.
    org.slf4j.Logger containers = LoggerFactory.getLogger("org.testcontainers");
    if (containers instanceof ch.qos.logback.classic.Logger logback) {
      logback.setLevel(Level.OFF);
    }
  }

  /** The 1, 5 and 15 minute load averages, to show how busy the machine was; "?" if unknown. */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static List<String> split(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static long median(List<Long> values) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static double medianDouble(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static double mb(long bytes) {
    return bytes / (1024.0 * 1024.0);
  }
}
