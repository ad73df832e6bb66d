package dev.expandcontract.spring.observe;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.core.verify.RepairReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the core's events into Micrometer meters, each tagged {@code migration=<id>}. Gauges read
 * the state the instance holds in memory ({@link ExpandContract#progress(String)}), so a scrape
 * never queries the database. Names as Prometheus shows them:
 *
 * <ul>
 *   <li>{@code expandcontract_backfill_rows_total{direction="backfill|resync"}} (a re-sync of old
 *       after a rollback has figures of its own)
 *   <li>{@code expandcontract_backfill_batch_duration_seconds} (histogram; p50/p99 also published
 *       to registries that take client-side percentiles)
 *   <li>{@code expandcontract_backfill_batch_size}, {@code expandcontract_backfill_progress}
 *       (0..1), {@code expandcontract_backfill_eta_seconds} (NaN while unknown), {@code
 *       expandcontract_backfill_rate_rows_per_second} (average since the backfill started)
 *   <li>{@code expandcontract_backfill_throttle{level}}: one series per throttle level, 1 for the
 *       level this instance's backfill is at
 *   <li>{@code expandcontract_phase{phase}}: one series per {@link Phase}, 1 for the current phase
 *       and 0 for the others (its changes annotate dashboards), {@code
 *       expandcontract_read_percent}, {@code expandcontract_paused} (0/1), {@code
 *       expandcontract_verify_mismatches} (NaN before the first verification)
 *   <li>{@code expandcontract_backfill_batches_total{outcome="success|failure"}} (a failure is a
 *       failed batch attempt), {@code expandcontract_backfill_poison_rows_total} (rows set aside
 *       because their transform fails), {@code expandcontract_shadow_mismatches_total}, {@code
 *       expandcontract_reads_total{source="old|new"}}, {@code
 *       expandcontract_flags_overridden_total{flag}}, {@code
 *       expandcontract_dualwrite_duration_seconds} (histogram)
 * </ul>
 *
 * <p>A {@link MeterBinder}: every meter of a migration is registered at zero when Spring Boot binds
 * it to the registry, so dashboards show a flat line instead of "no data" before the first event;
 * events before that are not counted.
 */
public final class ExpandContractMetrics implements ExpandContractListener, MeterBinder {

  static final String TAG = "migration";

  /** The flags {@code FlagRouter} reports overrides of; registered up front at zero. */
  static final List<String> FLAGS = List.of("read-new", "write-old", "shadow-read");

  private static final Logger log = LoggerFactory.getLogger(ExpandContractMetrics.class);

  private final Supplier<ExpandContract> expandContract;
  private final Map<String, MigrationMeters> meters = new ConcurrentHashMap<>();
  private final Map<String, Integer> lastBatchSize = new ConcurrentHashMap<>();
  private volatile MeterRegistry registry;

  /**
   * @param expandContract looked up when the binder is bound, as the core reports to this listener
   */
  public ExpandContractMetrics(Supplier<ExpandContract> expandContract) {
    this.expandContract = expandContract;
  }

  /** Registers the gauges (and every counter and timer at zero) of each declared migration. */
  @Override
  public void bindTo(MeterRegistry registry) {
    ExpandContract expandContract = this.expandContract.get();
    this.registry = registry;
    meters.clear();
    for (var migration : expandContract.migrations()) {
      String id = migration.id();
      MigrationMeters m = meters(id);
      FLAGS.forEach(m::flagOverridden);
      gauge(
          "expandcontract.backfill.batch.size",
          "Rows per backfill batch (adaptive)",
          null,
          expandContract,
          id,
          s -> lastBatchSize.getOrDefault(id, s.batchSize()));
      gauge(
          "expandcontract.backfill.progress",
          "Share of old rows backfilled, 0 to 1",
          null,
          expandContract,
          id,
          ExpandContractMetrics::progress);
      TimeGauge.builder(
              "expandcontract.backfill.eta",
              () ->
                  read(
                      expandContract,
                      id,
                      s -> s.etaSeconds() == null ? Double.NaN : s.etaSeconds()),
              TimeUnit.SECONDS)
          .description("Estimated time until the backfill ends")
          .tag(TAG, id)
          .register(registry);
      gauge(
          "expandcontract.backfill.rate",
          "Rows backfilled per second since the start",
          "rows.per.second",
          expandContract,
          id,
          MigrationStatus::rowsPerSecond);
      for (Phase phase : Phase.values()) {
        Gauge.builder(
                "expandcontract.phase",
                () -> read(expandContract, id, s -> s.phase() == phase ? 1 : 0))
            .description("1 for the migration's current phase, 0 for the others")
            .tag(TAG, id)
            .tag("phase", phase.name())
            .register(registry);
      }
      for (ThrottleState.Level level : ThrottleState.Level.values()) {
        Gauge.builder(
                "expandcontract.backfill.throttle",
                () -> read(expandContract, id, s -> s.throttle().level() == level ? 1 : 0))
            .description(
                "1 for the level this instance's backfill throttle is at, 0 for the others")
            .tag(TAG, id)
            .tag("level", level.name())
            .register(registry);
      }
      gauge(
          "expandcontract.read.percent",
          "Percentage of keys read from the new schema",
          null,
          expandContract,
          id,
          MigrationStatus::readPercent);
      gauge(
          "expandcontract.verify.mismatches",
          "Mismatches found by the last verification",
          null,
          expandContract,
          id,
          s -> s.verifyMismatches() == null ? Double.NaN : s.verifyMismatches());
      gauge(
          "expandcontract.paused",
          "1 while the backfill is paused",
          null,
          expandContract,
          id,
          s -> s.paused() ? 1 : 0);
    }
  }

  @Override
  public void batchCompleted(BatchCompleted batch) {
    safely(
        "batchCompleted",
        () -> {
          MigrationMeters m = meters(batch.migrationId());
          (batch.reverse() ? m.rowsResynced : m.rows).increment(batch.rows());
          m.batchesSucceeded.increment();
          m.batchDuration.record(batch.duration());
          lastBatchSize.put(batch.migrationId(), batch.nextBatchSize());
        });
  }

  @Override
  public void batchFailed(String migrationId, int attempt, Throwable error) {
    safely("batchFailed", () -> meters(migrationId).batchesFailed.increment());
  }

  @Override
  public void poisonRow(String migrationId, String key, String error) {
    safely("poisonRow", () -> meters(migrationId).poisonRows.increment());
  }

  @Override
  public void phaseChanged(PhaseTransition transition) {
    // A fresh backfill (after a rollback) starts again from the configured batch size.
    safely(
        "phaseChanged",
        () -> {
          if (transition.to() == Phase.BACKFILLING || transition.to() == Phase.EXPANDED) {
            lastBatchSize.remove(transition.migrationId());
          }
        });
  }

  @Override
  public void flagOverridden(String migrationId, String flag, String reason) {
    safely("flagOverridden", () -> meters(migrationId).flagOverridden(flag).increment());
  }

  @Override
  public void repaired(RepairReport report) {
    safely(
        "repaired", () -> meters(report.migrationId()).repairedKeys.increment(report.repaired()));
  }

  @Override
  public void shadowMismatch(String migrationId, Object key) {
    safely("shadowMismatch", () -> meters(migrationId).shadowMismatches.increment());
  }

  @Override
  public void readRouted(String migrationId, boolean fromNew) {
    safely(
        "readRouted",
        () -> {
          MigrationMeters m = meters(migrationId);
          (fromNew ? m.readsNew : m.readsOld).increment();
        });
  }

  @Override
  public void dualWrite(String migrationId, Duration duration) {
    safely("dualWrite", () -> meters(migrationId).dualWrite.record(duration));
  }

  /** 1 once the backfill is behind us; during a (re-)sync the share of rows done. */
  static double progress(MigrationStatus s) {
    if (s.phase() == null) {
      return Double.NaN; // state unknown: not read since start-up
    }
    boolean copying = s.phase() == Phase.BACKFILLING || s.resyncingOld();
    if (!copying) {
      return s.phase().compareTo(Phase.BACKFILLING) > 0 ? 1.0 : 0.0;
    }
    return s.rowsTotal() <= 0 ? 0.0 : Math.min(1.0, (double) s.rowsDone() / s.rowsTotal());
  }

  private void gauge(
      String name,
      String description,
      String baseUnit,
      ExpandContract expandContract,
      String id,
      ToDoubleFunction<MigrationStatus> value) {
    Gauge.builder(name, () -> read(expandContract, id, value))
        .description(description)
        .baseUnit(baseUnit)
        .tag(TAG, id)
        .register(registry);
  }

  private static double read(
      ExpandContract expandContract, String id, ToDoubleFunction<MigrationStatus> value) {
    try {
      return value.applyAsDouble(expandContract.progress(id));
    } catch (RuntimeException e) {
      return Double.NaN; // a scrape must never fail because one migration cannot be read
    }
  }

  /** The meters of one migration; before the binder is bound, throws (and the event is dropped). */
  private MigrationMeters meters(String id) {
    MeterRegistry bound = registry;
    if (bound == null) {
      throw new IllegalStateException("not bound to a meter registry yet");
    }
    return meters.computeIfAbsent(id, key -> new MigrationMeters(bound, key));
  }

  private static void safely(String event, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      // Metrics are never worth failing a batch or a request for.
      log.debug("expand-contract metrics could not record {}", event, e);
    }
  }

  /** One migration's counters and timers, looked up once instead of on every event. */
  private static final class MigrationMeters {
    private final MeterRegistry registry;
    private final String id;
    private final Counter rows;
    private final Counter rowsResynced;
    private final Counter batchesSucceeded;
    private final Counter batchesFailed;
    private final Timer batchDuration;
    private final Counter poisonRows;
    private final Counter shadowMismatches;
    private final Counter repairedKeys;
    private final Counter readsOld;
    private final Counter readsNew;
    private final Timer dualWrite;
    private final Map<String, Counter> flagOverrides = new ConcurrentHashMap<>();

    MigrationMeters(MeterRegistry registry, String id) {
      this.registry = registry;
      this.id = id;
      rows = rows("backfill", "Old rows copied to the new schema by the backfill");
      rowsResynced = rows("resync", "Rows re-synced to the old schema after a rollback");
      batchesSucceeded = batches("success");
      batchesFailed = batches("failure");
      batchDuration =
          Timer.builder("expandcontract.backfill.batch.duration")
              .description("Time of one backfill batch, checkpoint included")
              .tag(TAG, id)
              .publishPercentiles(0.5, 0.99)
              .publishPercentileHistogram()
              .register(registry);
      poisonRows =
          counter(
              "expandcontract.backfill.poison.rows",
              "Rows the backfill set aside because their transform fails");
      shadowMismatches =
          counter("expandcontract.shadow.mismatches", "Shadow reads where old and new differed");
      repairedKeys =
          counter(
              "expandcontract.repair.keys",
              "Keys a repair re-copied because verification found them mismatching");
      readsOld = reads("old");
      readsNew = reads("new");
      dualWrite =
          Timer.builder("expandcontract.dualwrite.duration")
              .description("Time the library adds to a write for the migrated columns")
              .tag(TAG, id)
              .publishPercentileHistogram()
              .register(registry);
    }

    Counter flagOverridden(String flag) {
      return flagOverrides.computeIfAbsent(
          flag,
          f ->
              Counter.builder("expandcontract.flags.overridden")
                  .description("Flags set outside what the phase allows, not honoured")
                  .tag(TAG, id)
                  .tag("flag", f)
                  .register(registry));
    }

    private Counter rows(String direction, String description) {
      return Counter.builder("expandcontract.backfill.rows")
          .description(description)
          .tag(TAG, id)
          .tag("direction", direction)
          .register(registry);
    }

    private Counter batches(String outcome) {
      return Counter.builder("expandcontract.backfill.batches")
          .description("Backfill batch attempts: committed (success) or failed and retried")
          .tag(TAG, id)
          .tag("outcome", outcome)
          .register(registry);
    }

    private Counter reads(String source) {
      return Counter.builder("expandcontract.reads")
          .description("Reads of migrated columns by the schema they came from")
          .tag(TAG, id)
          .tag("source", source)
          .register(registry);
    }

    private Counter counter(String name, String description) {
      return Counter.builder(name).description(description).tag(TAG, id).register(registry);
    }
  }
}
