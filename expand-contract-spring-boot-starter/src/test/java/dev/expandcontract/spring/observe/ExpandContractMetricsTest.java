package dev.expandcontract.spring.observe;

import static dev.expandcontract.spring.observe.ItemsDatabase.ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.phase.Phase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExpandContractMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private ItemsDatabase db;
  private final ExpandContractMetrics metrics = new ExpandContractMetrics(() -> db.expandContract);

  @BeforeEach
  void setUp() {
    db = new ItemsDatabase("obs_metrics", metrics);
    metrics.bindTo(registry);
  }

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void registersEveryMeterAtZeroBeforeAnyEvent() {
    List<String> names =
        registry.getMeters().stream()
            .filter(m -> ID.equals(m.getId().getTag("migration")))
            .map(m -> m.getId().getName())
            // the timer's client-side p50/p99, a gauge of their own in some registries
            .filter(name -> !name.endsWith(".percentile"))
            .distinct()
            .toList();
    assertThat(names)
        .containsExactlyInAnyOrder(
            "expandcontract.backfill.rows",
            "expandcontract.backfill.batches",
            "expandcontract.backfill.batch.duration",
            "expandcontract.backfill.batch.size",
            "expandcontract.backfill.progress",
            "expandcontract.backfill.eta",
            "expandcontract.backfill.rate",
            "expandcontract.backfill.throttle",
            "expandcontract.phase",
            "expandcontract.read.percent",
            "expandcontract.verify.mismatches",
            "expandcontract.repair.keys",
            "expandcontract.shadow.mismatches",
            "expandcontract.dualwrite.duration",
            "expandcontract.reads",
            "expandcontract.backfill.poison.rows",
            "expandcontract.paused",
            "expandcontract.flags.overridden");
    assertThat(rows("backfill")).isZero();
    assertThat(rows("resync")).isZero();
    assertThat(counter("expandcontract.backfill.poison.rows")).isZero();
    assertThat(counter("expandcontract.repair.keys")).isZero();
    assertThat(reads("old")).isZero();
    assertThat(reads("new")).isZero();
    assertPhase(Phase.EXPANDED);
    assertThat(
            registry
                .get("expandcontract.backfill.throttle")
                .tags("migration", ID, "level", "NONE")
                .gauge()
                .value())
        .as("no batch ran here yet")
        .isEqualTo(1);
    assertThat(batches("success")).isZero();
    assertThat(batches("failure")).isZero();
    assertThat(gauge("expandcontract.backfill.progress")).isZero();
    assertThat(gauge("expandcontract.backfill.batch.size")).isEqualTo(ItemsDatabase.BATCH);
    assertThat(gauge("expandcontract.paused")).isZero();
    assertThat(gauge("expandcontract.verify.mismatches")).as("never verified").isNaN();
    assertThat(eta()).as("not started").isNaN();
    assertThat(registry.get("expandcontract.backfill.eta").timeGauge().baseTimeUnit())
        .isEqualTo(java.util.concurrent.TimeUnit.SECONDS);
    assertThat(registry.get("expandcontract.flags.overridden").counters())
        .extracting(c -> c.getId().getTag("flag"))
        .containsExactlyInAnyOrder("read-new", "write-old", "shadow-read");
  }

  @Test
  void followsTheBackfillAndThePhases() throws Exception {
    db.expandContract.control().startBackfill(ID, "test");
    assertPhase(Phase.BACKFILLING);

    assertThat(db.expandContract.backfill().runBatch(ID)).isEqualTo(BatchOutcome.COPIED);
    db.expandContract.refresh(); // checkpoints reach the in-memory state on refresh
    assertThat(rows("backfill")).isEqualTo(ItemsDatabase.BATCH);
    assertThat(gauge("expandcontract.backfill.progress")).isEqualTo(0.2);
    assertThat(eta()).isNotNaN().isGreaterThanOrEqualTo(0);
    assertThat(gauge("expandcontract.backfill.rate")).isPositive();

    assertThat(db.runBackfill()).isEqualTo(BatchOutcome.FINISHED);
    double batches = batches("success");
    assertThat(rows("backfill")).isEqualTo(ItemsDatabase.ROWS);
    assertThat(batches).isGreaterThanOrEqualTo(ItemsDatabase.ROWS / ItemsDatabase.BATCH);
    Timer duration =
        registry.get("expandcontract.backfill.batch.duration").tag("migration", ID).timer();
    assertThat(duration.count()).isEqualTo((long) batches);
    assertThat(duration.takeSnapshot().percentileValues()).hasSize(2);
    assertThat(gauge("expandcontract.backfill.batch.size")).isEqualTo(ItemsDatabase.BATCH);
    assertPhase(Phase.BACKFILLED);
    assertThat(gauge("expandcontract.backfill.progress")).isEqualTo(1.0);
    assertThat(eta()).isZero();

    db.expandContract.control().verify(ID, "test");
    assertThat(gauge("expandcontract.verify.mismatches")).isZero();
    assertPhase(Phase.VERIFIED);

    db.expandContract.control().readNew(ID, 30, "test");
    assertThat(gauge("expandcontract.read.percent")).isEqualTo(30);
    assertPhase(Phase.READ_NEW);
    assertThat(gauge("expandcontract.backfill.progress")).isEqualTo(1.0);
  }

  @Test
  void showsPausesAndCountsFailedBatches() throws Exception {
    db.expandContract.control().startBackfill(ID, "test");
    db.expandContract.control().pause(ID, "test");
    assertThat(gauge("expandcontract.paused")).isEqualTo(1);
    db.expandContract.control().resume(ID, "test");
    assertThat(gauge("expandcontract.paused")).isZero();

    db.execute("ALTER TABLE items DROP COLUMN email_normalized"); // every batch now fails
    assertThat(db.expandContract.backfill().runBatch(ID)).isEqualTo(BatchOutcome.PAUSED);
    db.expandContract.refresh();
    assertThat(batches("failure")).isEqualTo(1);
    assertThat(batches("success")).isZero();
    assertThat(gauge("expandcontract.paused")).isEqualTo(1);
  }

  @Test
  void countsRequestPathEvents() {
    metrics.readRouted(ID, false);
    metrics.readRouted(ID, true);
    metrics.readRouted(ID, true);
    metrics.shadowMismatch(ID, 42L);
    metrics.dualWrite(ID, Duration.ofMillis(3));
    metrics.flagOverridden(ID, "read-new", "flag read-new is on, but ...");
    metrics.flagOverridden(ID, "some-new-flag", "...");

    assertThat(reads("old")).isEqualTo(1);
    assertThat(reads("new")).isEqualTo(2);
    assertThat(counter("expandcontract.shadow.mismatches")).isEqualTo(1);
    assertThat(
            registry.get("expandcontract.dualwrite.duration").tag("migration", ID).timer().count())
        .isEqualTo(1);
    assertThat(flagOverrides("read-new")).isEqualTo(1);
    assertThat(flagOverrides("some-new-flag")).isEqualTo(1);
    assertThat(flagOverrides("write-old")).isZero();
  }

  @Test
  void neverThrowsFromAListenerMethod() {
    assertThatCode(
            () -> {
              metrics.batchCompleted(null);
              metrics.readRouted(null, true);
              metrics.dualWrite(ID, null);
              metrics.flagOverridden(ID, null, null);
              metrics.batchFailed(null, 1, null);
              metrics.phaseChanged(null);
            })
        .doesNotThrowAnyException();
  }

  /** One series per phase: exactly the current one is 1. */
  private void assertPhase(Phase current) {
    for (Phase phase : Phase.values()) {
      double value =
          registry
              .get("expandcontract.phase")
              .tags("migration", ID, "phase", phase.name())
              .gauge()
              .value();
      assertThat(value).as("phase %s", phase).isEqualTo(phase == current ? 1 : 0);
    }
  }

  private double rows(String direction) {
    return registry
        .get("expandcontract.backfill.rows")
        .tags("migration", ID, "direction", direction)
        .counter()
        .count();
  }

  private double batches(String outcome) {
    return registry
        .get("expandcontract.backfill.batches")
        .tags("migration", ID, "outcome", outcome)
        .counter()
        .count();
  }

  private double eta() {
    return registry
        .get("expandcontract.backfill.eta")
        .tag("migration", ID)
        .timeGauge()
        .value(java.util.concurrent.TimeUnit.SECONDS);
  }

  private double counter(String name) {
    return registry.get(name).tag("migration", ID).counter().count();
  }

  private double reads(String source) {
    return registry
        .get("expandcontract.reads")
        .tags("migration", ID, "source", source)
        .counter()
        .count();
  }

  private double flagOverrides(String flag) {
    Counter counter =
        registry
            .get("expandcontract.flags.overridden")
            .tags("migration", ID, "flag", flag)
            .counter();
    return counter.count();
  }

  private double gauge(String name) {
    return registry.get(name).tag("migration", ID).gauge().value();
  }
}
