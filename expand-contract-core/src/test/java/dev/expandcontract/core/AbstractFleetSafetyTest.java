package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The fleet-wide protocol where instances lag: a re-sync after a rollback from NEW_ONLY covers what
 * a lagging instance wrote by new only, the guards wait for every instance to have seen the state
 * they act on, contract and rollback exclude each other, the end of a backfill finishes only its
 * own run, and an instance that cannot see the shared state stops writing before the fleet stops
 * counting it. (Issue 9, defects 1, 8, 9 and 10; the protocol is model-checked in {@code
 * src/test/promela}.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractFleetSafetyTest {

  private static final int ROWS = 120;
  private static final int BATCH = 50;
  private static final String EMAIL = Customers.EMAIL;
  private static final Duration INSTANCE_TIMEOUT = ExpandContract.DEFAULT_INSTANCE_TIMEOUT;

  private HikariDataSource dataSource;
  private MutableClock clock;
  private final AtomicReference<Consumer<BatchCompleted>> onBatch = new AtomicReference<>();
  private ExpandContract a;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("fleet_" + database().name().toLowerCase());
    Customers.recreate(dataSource);
    clock = MutableClock.startingNow();
    instance(dataSource, "creates-state-tables"); // so that each test can just empty them
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void freshState() {
    Customers.clear(dataSource);
    Customers.seed(dataSource, ROWS, 9);
    clock = MutableClock.startingNow();
    onBatch.set(null);
    a = instance(dataSource, "a");
  }

  private static Migration email() {
    return Migration.column(EMAIL)
        .table("customers")
        .key("id")
        .map("email")
        .to("email_normalized")
        .using("lower(trim(email))")
        .usingJava(Customers::normalized)
        .reverse("email_normalized")
        .backfill(Customers.smallBatches(BATCH))
        .build();
  }

  private ExpandContract instance(DataSource source, String instanceId) {
    return ExpandContract.builder(source)
        .migration(email())
        .instanceId(instanceId)
        .clock(clock)
        .soakTime(Duration.ZERO)
        .instanceTimeout(INSTANCE_TIMEOUT)
        .tablePrefix(Customers.STATE_PREFIX)
        .listener(
            new ExpandContractListener() {
              @Override
              public void batchCompleted(BatchCompleted batch) {
                Consumer<BatchCompleted> hook = onBatch.getAndSet(null);
                if (hook != null) {
                  hook.accept(batch);
                }
              }
            })
        .build();
  }

  // ---- defect 1: the re-sync after a rollback from NEW_ONLY ---------------------------------

  @Test
  void theReSyncCoversRowsALaggingInstanceInsertedByNewOnlyAfterTheRollback() throws Exception {
    ExpandContract lagging = instance(dataSource, "lagging");
    driveToReadNewFull(List.of(a, lagging));
    a.control().stopOldWrites(EMAIL, "operator");
    // One refresh in NEW_ONLY: its heartbeat still reports the state before (READ_NEW 100%, which
    // writes old), while it already writes by new only.
    lagging.refresh();
    assertThat(lagging.state(EMAIL).phase()).isEqualTo(Phase.NEW_ONLY);

    MigrationState rolledBack = a.control().rollback(EMAIL, "operator");
    assertThat(rolledBack.resyncOld()).isTrue();
    a.refresh();
    a.refresh();
    assertThat(a.backfill().runBatch(EMAIL)).isEqualTo(BatchOutcome.WAITING_FOR_FLEET);
    assertThat(load().upperKey()).as("re-sync range before the fleet writes old").isNull();
    assertThat(a.status(EMAIL).chunks().waitingFor())
        .as("what the re-sync waits for, in GET")
        .contains("every live instance writes it again")
        .contains("lagging (saw READ_NEW");

    // The lagging instance inserts above every key that existed at the rollback, by new only.
    long inserted = ROWS + 1;
    write(lagging, inserted, " Late.Writer@Example.COM");
    assertThat(a.backfill().runBatch(EMAIL)).isEqualTo(BatchOutcome.WAITING_FOR_FLEET);

    lagging.refresh(); // adopts the rollback: writes old again
    assertThat(a.backfill().runBatch(EMAIL)).isEqualTo(BatchOutcome.WAITING_FOR_FLEET);
    lagging.refresh(); // and says so
    assertThat(a.backfill().runBatch(EMAIL)).isEqualTo(BatchOutcome.RESYNC_RANGE_FIXED);
    runUntilFinished(a);

    assertThat(TestSql.byKey(dataSource, "SELECT id, email FROM customers").get(inserted))
        .as("old value of the row the lagging instance wrote by new only")
        .containsExactly("late.writer@example.com");
    assertThat(
            TestSql.queryLong(
                dataSource,
                "SELECT COUNT(*) FROM customers WHERE (email IS NULL AND email_normalized IS NOT NULL)"
                    + " OR email <> email_normalized"))
        .as("rows whose old value differs from new after the re-sync")
        .isZero();
    assertThat(a.store().transitions(EMAIL, 1).get(0).reason())
        .contains("re-synced from new up to key " + inserted);
  }

  // ---- the guards wait for instances that have seen the state -------------------------------

  @Test
  void stopOldWritesWaitsForAnInstanceThatReportsTheRightRoutingForAnOlderState() {
    ExpandContract lagging = instance(dataSource, "lagging");
    driveToReadNewFull(List.of(a, lagging));
    a.control().rollback(EMAIL, "operator"); // the lagging instance never refreshes again...
    driveToReadNewFull(List.of(a)); // ... while the migration rolls forward to 100% again
    MigrationState full = load();

    assertThatThrownBy(() -> a.control().stopOldWrites(EMAIL, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("acknowledged version " + full.version())
        .hasMessageContaining("lagging (saw READ_NEW version");
    assertThat(load()).isEqualTo(full);

    lagging.refresh();
    lagging.refresh();
    assertThat(a.control().stopOldWrites(EMAIL, "operator").phase()).isEqualTo(Phase.NEW_ONLY);
  }

  // ---- defect 8: contract and rollback exclude each other -----------------------------------

  @Test
  void contractIsOutOfReachOfRollbackBeforeItsFirstDdlStatement() {
    ExpandContract other = instance(dataSource, "other");
    driveToNewOnly(List.of(a, other));
    AtomicReference<Throwable> rollbackDuringDdl = new AtomicReference<>();
    AtomicReference<Phase> phaseDuringDdl = new AtomicReference<>();

    MigrationState contracted =
        a.control()
            .contract(
                EMAIL,
                "operator",
                () -> {
                  phaseDuringDdl.set(load().phase());
                  try {
                    other.control().rollback(EMAIL, "other operator");
                  } catch (RuntimeException e) {
                    rollbackDuringDdl.set(e);
                  }
                });

    assertThat(phaseDuringDdl).hasValue(Phase.CONTRACTING);
    assertThat(rollbackDuringDdl.get())
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("contract DDL has begun");
    assertThat(contracted.phase()).isEqualTo(Phase.CONTRACTED);
  }

  @Test
  void aContractThatStoppedHalfwaySaysSoRefusesRollbackAndResumes() {
    driveToNewOnly(List.of(a));
    IllegalStateException ddlFailure = new IllegalStateException("lock timeout on customers");

    assertThatThrownBy(
            () ->
                a.control()
                    .contract(
                        EMAIL,
                        "operator",
                        () -> {
                          throw ddlFailure;
                        }))
        .isSameAs(ddlFailure);
    MigrationState halfway = load();
    assertThat(halfway.phase()).isEqualTo(Phase.CONTRACTING);
    assertThat(halfway.lastError())
        .contains("contract stopped halfway")
        .contains("lock timeout on customers")
        .contains("run contract again");
    assertThat(a.status(EMAIL).phase()).isEqualTo(Phase.CONTRACTING);
    assertThatThrownBy(() -> a.control().rollback(EMAIL, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("contract DDL has begun");
    assertThat(load()).isEqualTo(halfway);

    MigrationState contracted = a.control().contract(EMAIL, "operator", () -> {});
    assertThat(contracted.phase()).isEqualTo(Phase.CONTRACTED);
    assertThat(contracted.lastError()).isNull();
  }

  // ---- defect 9: the end of a backfill finishes only its own run ----------------------------

  @Test
  void aRollbackAndANewStartBetweenTheLastBatchAndTheFinishDoNotFinishTheNewRun() throws Exception {
    ExpandContract operator = instance(dataSource, "operator");
    a.control().startBackfill(EMAIL, "operator");
    runUntilOneBatchIsLeft(a);
    onBatch.set(
        batch -> {
          operator.control().rollback(EMAIL, "operator");
          operator.control().startBackfill(EMAIL, "operator");
        });

    BatchOutcome last = a.backfill().runBatch(EMAIL);

    assertThat(last).as("outcome of the old run's last batch").isNotEqualTo(BatchOutcome.FINISHED);
    MigrationState state = load();
    assertThat(state.phase()).isEqualTo(Phase.BACKFILLING);
    assertThat(state.rowsDone()).as("rows the new run copied").isZero();
    runUntilFinished(a);
    assertThat(load().phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(a.control().verify(EMAIL, "test").mismatches()).isZero();
  }

  @Test
  void aPauseBetweenTheLastBatchAndTheFinishKeepsTheBackfillPausedAndUnfinished() throws Exception {
    ExpandContract operator = instance(dataSource, "operator");
    a.control().startBackfill(EMAIL, "operator");
    runUntilOneBatchIsLeft(a);
    onBatch.set(batch -> operator.control().pause(EMAIL, "operator"));

    assertThat(a.backfill().runBatch(EMAIL)).isNotEqualTo(BatchOutcome.FINISHED);

    MigrationState paused = load();
    assertThat(paused.phase()).isEqualTo(Phase.BACKFILLING);
    assertThat(paused.paused()).isTrue();
    operator.control().resume(EMAIL, "operator");
    runUntilFinished(a);
    assertThat(load().phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(load().paused()).isFalse();
  }

  // ---- defect 10: a stale instance stops writing --------------------------------------------

  @Test
  void anInstanceThatCannotSeeTheSharedStateStopsWritingBeforeTheFleetStopsCountingIt() {
    FaultyDataSource partitioned = new FaultyDataSource(dataSource);
    ExpandContract cutOff = instance(partitioned, "cut-off");
    cutOff.refresh();
    assertThat(cutOff.writableState(EMAIL).phase()).isEqualTo(Phase.EXPANDED);

    partitioned.goDown();
    clock.advance(INSTANCE_TIMEOUT.multipliedBy(2).dividedBy(3).plusSeconds(1));
    assertThatThrownBy(cutOff::refresh).isInstanceOf(IllegalStateException.class);

    assertThatThrownBy(() -> cutOff.writableState(EMAIL))
        .isInstanceOfSatisfying(
            StaleStateException.class, e -> assertThat(e.migrationId()).isEqualTo(EMAIL))
        .hasMessageContaining("cut-off")
        .hasMessageContaining("has not seen the shared expand-contract state for 21s")
        .hasMessageContaining("refused until a refresh succeeds")
        .hasMessageContaining("unreachable");
    assertThat(cutOff.state(EMAIL).phase()).as("reads still see the state last seen").isNotNull();
    assertThat(a.store().instances().liveInstances(EMAIL, clock.instant().minus(INSTANCE_TIMEOUT)))
        .as("the fleet still counts it: its writes stopped first")
        .extracting(i -> i.instanceId())
        .contains("cut-off");

    partitioned.comeBack();
    cutOff.refresh();
    assertThat(cutOff.writableState(EMAIL).phase()).isEqualTo(Phase.EXPANDED);
  }

  @Test
  void anInstanceThatLeftTheFleetWritesNoMore() {
    ExpandContract leaving = instance(dataSource, "leaving");
    leaving.refresh();

    leaving.leave();

    assertThat(a.store().instances().liveInstances(EMAIL, clock.instant().minus(INSTANCE_TIMEOUT)))
        .extracting(i -> i.instanceId())
        .doesNotContain("leaving");
    assertThatThrownBy(() -> leaving.writableState(EMAIL))
        .isInstanceOf(StaleStateException.class)
        .hasMessageContaining("has left");
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** Writes a new customer's email as the instance's routing says, in one transaction. */
  private void write(ExpandContract instance, long id, String emailValue) throws SQLException {
    boolean writeOld = instance.router().writeOld(instance.writableState(EMAIL));
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      TestSql.update(
          connection,
          writeOld
              ? "INSERT INTO customers (id, name, email) VALUES (?, ?, ?)"
              : "INSERT INTO customers (id, name) VALUES (?, ?)",
          writeOld ? new Object[] {id, "Customer " + id, emailValue} : new Object[] {id, "C"});
      instance.rows(EMAIL).write(connection, id, List.of(emailValue), ValueForm.OLD, writeOld);
      connection.commit();
    }
  }

  /** Every instance refreshes twice: it adopts the state, then reports it. */
  private static void refreshTwice(List<ExpandContract> fleet) {
    for (int i = 0; i < 2; i++) {
      fleet.forEach(ExpandContract::refresh);
    }
  }

  private void driveToReadNewFull(List<ExpandContract> fleet) {
    try {
      a.control().startBackfill(EMAIL, "test");
      runUntilFinished(a);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    a.control().verify(EMAIL, "test");
    a.control().readNew(EMAIL, 100, "test");
    refreshTwice(fleet);
  }

  private void driveToNewOnly(List<ExpandContract> fleet) {
    driveToReadNewFull(fleet);
    a.control().stopOldWrites(EMAIL, "test");
    refreshTwice(fleet);
    assertThat(load().phase()).isEqualTo(Phase.NEW_ONLY);
  }

  private static void runUntilFinished(ExpandContract instance) throws InterruptedException {
    BatchOutcome outcome;
    int batches = 0;
    do {
      outcome = instance.backfill().runBatch(EMAIL);
      assertThat(outcome).isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
      assertThat(++batches).as("batches").isLessThan(100);
    } while (outcome != BatchOutcome.FINISHED);
  }

  /** Runs the batches before the last one of a run of ROWS rows in batches of BATCH. */
  private static void runUntilOneBatchIsLeft(ExpandContract instance) throws InterruptedException {
    for (int i = 0; i < (ROWS - 1) / BATCH; i++) {
      assertThat(instance.backfill().runBatch(EMAIL)).isEqualTo(BatchOutcome.COPIED);
    }
  }

  private MigrationState load() {
    return a.store().load(EMAIL).orElseThrow();
  }
}
