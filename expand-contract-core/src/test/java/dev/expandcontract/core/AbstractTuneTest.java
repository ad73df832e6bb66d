package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Runtime tuning: an operator's {@code tune} on one instance changes the settings every instance's
 * next batch uses, without a restart; it is recorded in the history, a repeat records nothing, and
 * a bad setting is refused with nothing stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractTuneTest {

  private static final int ROWS = 600;

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("tune_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 5);
  }

  @Test
  void aTuneOnOneInstanceBoundsTheNextBatchOfAnotherWithoutARestart() throws Exception {
    Model model = Customers.emailModel(false, Customers.smallBatches(100));
    List<BatchCompleted> batches = new CopyOnWriteArrayList<>();
    ExpandContract operatorSide = instance(model, "operator-side", List.of());
    ExpandContract copier = instance(model, "copier", batches);
    operatorSide.control().startBackfill(model.id(), "test");
    assertThat(copier.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    assertThat(batches.get(0).rows()).isEqualTo(100);

    Map<String, String> inEffect =
        operatorSide
            .control()
            .tune(model.id(), Map.of("max-batch-size", "30", "min-batch-size", "10"), "ops");

    assertThat(inEffect)
        .containsEntry("max-batch-size", "30")
        .containsEntry("min-batch-size", "10");
    assertThat(copier.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    assertThat(batches.get(1).rows()).as("the next batch after the tune").isEqualTo(30);
    assertThat(copier.backfill().settings(model.id()).maxBatchSize()).isEqualTo(30);
    assertThat(copier.status(model.id()).backfillSettings()).containsEntry("max-batch-size", "30");
    PhaseTransition recorded = operatorSide.store().transitions(model.id(), 1).get(0);
    assertThat(recorded.actor()).isEqualTo("ops");
    assertThat(recorded.reason())
        .as("only what changed")
        .isEqualTo("tune: max-batch-size=30 (was 100)");

    long version = operatorSide.store().load(model.id()).orElseThrow().version();
    operatorSide.control().tune(model.id(), Map.of("max-batch-size", "30"), "ops");
    assertThat(operatorSide.store().load(model.id()).orElseThrow().version())
        .as("a tune that changes nothing records no transition")
        .isEqualTo(version);

    ExpandContract restarted = instance(model, "copier", batches);
    assertThat(restarted.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    assertThat(batches.get(2).rows()).as("a restart keeps the tuning").isEqualTo(30);
  }

  @Test
  void aBadSettingIsRefusedNamingItAndNothingIsStored() {
    Model model = Customers.emailModel(false, Customers.smallBatches(100));
    ExpandContract ec = instance(model, "operator-side", List.of());
    long version = ec.store().load(model.id()).orElseThrow().version();

    assertThatThrownBy(() -> ec.control().tune(model.id(), Map.of("batch-speed", "9"), "ops"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown backfill setting 'batch-speed'")
        .hasMessageContaining("target-batch-time");
    assertThatThrownBy(
            () -> ec.control().tune(model.id(), Map.of("pause-between-batches", "soon"), "ops"))
        .hasMessageContaining("pause-between-batches must be a duration");
    assertThatThrownBy(
            () ->
                ec.control()
                    .tune(
                        model.id(),
                        Map.of("max-batch-size", "5", "target-batch-time", "1s"),
                        "ops"))
        .hasMessageContaining("maxBatchSize (5) must be >= minBatchSize (10)");

    assertThat(ec.store().tunings().load(model.id())).isEmpty();
    assertThat(ec.store().load(model.id()).orElseThrow().version()).isEqualTo(version);
    assertThat(ec.backfill().settings(model.id())).isEqualTo(model.migration().backfill());
  }

  private ExpandContract instance(Model model, String instanceId, List<BatchCompleted> batches) {
    return ExpandContract.builder(dataSource)
        .migration(model.migration())
        .instanceId(instanceId)
        .soakTime(Duration.ZERO)
        .tablePrefix(Customers.STATE_PREFIX)
        .listener(
            new ExpandContractListener() {
              @Override
              public void batchCompleted(BatchCompleted batch) {
                batches.add(batch);
              }
            })
        .build();
  }
}
