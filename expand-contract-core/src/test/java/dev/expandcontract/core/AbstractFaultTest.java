package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationAction;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.store.PoisonRow;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * What production does to a backfill: its connection killed mid-batch, the database gone for longer
 * than the retries last, and row locks held by a long transaction inside the batch's range.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class AbstractFaultTest {

  private static final int ROWS = 1_000;
  private static final int BATCH = 200;

  private HikariDataSource dataSource;
  private final List<BatchCompleted> batches = new CopyOnWriteArrayList<>();
  private final List<Throwable> failures = new CopyOnWriteArrayList<>();

  protected abstract TestDatabase database();

  /** This connection's session id: {@code pg_backend_pid()}, {@code CONNECTION_ID()}. */
  protected abstract long sessionId(Connection connection) throws SQLException;

  /** Ends a session from another connection, as an operator or a failover does. */
  protected abstract void kill(Connection killer, long sessionId) throws SQLException;

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("faults_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    batches.clear();
    failures.clear();
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 5);
  }

  @Test
  void aConnectionKilledMidBatchIsRetriedWithoutSkippingARange() throws Exception {
    Model model = Customers.emailModel(false, Customers.smallBatches(BATCH));
    FaultyDataSource faulty = new FaultyDataSource(dataSource);
    ExpandContract ec = instance(faulty, model);
    ec.control().startBackfill(model.id(), "test");
    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);

    // The second batch copied its rows; before its checkpoint its session is killed.
    faulty.onceBeforeStatement(
        "UPDATE " + Customers.STATE_PREFIX + "migration SET rows_done",
        victim -> {
          long session = sessionId(victim);
          try (Connection killer = dataSource.getConnection()) {
            kill(killer, session);
          }
        });
    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    assertThat(failures).as("failed attempts").hasSize(1);
    assertThat(batches.get(1).attempts()).isEqualTo(2);
    assertThat(batches.get(1).cursor()).isEqualTo(String.valueOf(2 * BATCH));

    runToTheEnd(ec, model.id());
    assertThat(ec.status(model.id()).rowsDone())
        .as("rows done: the killed attempt counted nothing, its retry everything")
        .isEqualTo(ROWS);
    Customers.assertConverged(dataSource, model);
    assertPoolWorks(ec);
  }

  @Test
  void anOutageLongerThanTheRetriesPausesNothingLosesNoBatchAndEndsByItself() throws Exception {
    Model model = Customers.emailModel(false, Customers.smallBatches(BATCH));
    FaultyDataSource faulty = new FaultyDataSource(dataSource);
    ExpandContract ec = instance(faulty, model);
    String id = model.id();
    ec.control().startBackfill(id, "test");
    assertThat(ec.backfill().runBatch(id)).isEqualTo(BatchOutcome.COPIED);
    ec.refresh();

    // The database goes away in the middle of the second batch, after its copy, and stays away
    // through every retry.
    faulty.onceBeforeStatement(
        "UPDATE " + ec.dialect().quote("customers"), connection -> faulty.goDown());
    assertThat(ec.backfill().runBatch(id)).isEqualTo(BatchOutcome.DATABASE_UNAVAILABLE);
    assertThat(failures).hasSize(Customers.smallBatches(BATCH).maxRetries() + 1);
    assertThat(ec.backfill().runBatch(id)).isEqualTo(BatchOutcome.DATABASE_UNAVAILABLE);
    MigrationStatus unknown = ec.status(id);
    assertThat(unknown.lastError()).contains("state unknown", "unreachable since");
    assertThat(unknown.phase()).isEqualTo(Phase.BACKFILLING);
    assertThat(unknown.paused()).isFalse();
    assertThat(ec.progress(id).lastError()).as("what health shows").contains("unreachable");

    MigrationStatus stored = instance(dataSource, model).status(id);
    assertThat(stored.paused()).as("paused in the database").isFalse();
    assertThat(stored.rowsDone()).as("the lost batch left nothing").isEqualTo(BATCH);

    // Back again: the next call goes on from the checkpoint, nobody resumes anything.
    faulty.comeBack();
    assertThat(ec.backfill().runBatch(id)).isEqualTo(BatchOutcome.COPIED);
    assertThat(batches.get(1).cursor()).isEqualTo(String.valueOf(2 * BATCH));
    ec.refresh();
    assertThat(ec.status(id).lastError()).isNull();
    runToTheEnd(ec, id);
    assertThat(ec.status(id).rowsDone()).isEqualTo(ROWS);
    Customers.assertConverged(dataSource, model);
  }

  @Test
  void anInstanceBuiltWhileTheDatabaseIsUnreachableStartsAtTheFirstRefreshThatReachesIt()
      throws Exception {
    Model model = Customers.emailModel(false, Customers.smallBatches(BATCH));
    String id = model.id();
    FaultyDataSource faulty = new FaultyDataSource(dataSource);
    faulty.goDown();
    ExpandContract ec =
        builder(faulty, model).databaseType(DatabaseType.detect(dataSource)).build();

    assertThat(ec.started()).isFalse();
    MigrationStatus unknown = ec.status(id);
    assertThat(unknown.phase()).as("no state read yet").isNull();
    assertThat(unknown.phaseName()).isEqualTo("UNKNOWN");
    assertThat(unknown.lastError()).contains("state unknown", "unreachable since");
    assertThat(ec.progress(id).lastError()).as("what health shows").contains("unreachable");
    assertThatThrownBy(() -> ec.writableState(id))
        .as("a write of a migrated entity")
        .isInstanceOf(StaleStateException.class)
        .hasMessageContaining("unreachable");
    assertThatThrownBy(() -> ec.state(id)).isInstanceOf(StaleStateException.class);
    assertThatThrownBy(() -> ec.control().startBackfill(id, "test"))
        .isInstanceOf(StaleStateException.class);
    assertThatThrownBy(ec::refresh).isInstanceOf(IllegalStateException.class);
    assertThat(ec.started()).isFalse();

    // Back: the next refresh validates, reads the state and lifts everything; nobody restarts.
    faulty.comeBack();
    ec.refresh();
    assertThat(ec.started()).isTrue();
    assertThat(ec.databaseProblem()).isEmpty();
    assertThat(ec.status(id).phase()).isEqualTo(Phase.EXPANDED);
    assertThat(ec.status(id).lastError()).isNull();
    ec.writableState(id);
    ec.control().startBackfill(id, "test");
    runToTheEnd(ec, id);
    Customers.assertConverged(dataSource, model);
  }

  @Test
  void aMigrationFoundInvalidOnceTheDatabaseAnswersStaysRefused() {
    Migration invalid =
        Migration.column("no-such-column")
            .table("customers")
            .key("id")
            .map("email")
            .to("email_missing")
            .using("email")
            .build();
    FaultyDataSource faulty = new FaultyDataSource(dataSource);
    faulty.goDown();
    ExpandContract ec =
        ExpandContract.builder(faulty)
            .migration(invalid)
            .databaseType(DatabaseType.detect(dataSource))
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
    String id = invalid.id();

    faulty.comeBack();
    assertThatThrownBy(ec::refresh)
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("email_missing");
    assertThat(ec.started()).isFalse();
    assertThat(ec.startFailure()).hasValueSatisfying(m -> assertThat(m).contains("email_missing"));
    assertThat(ec.databaseProblem()).as("the database answered").isEmpty();
    assertThat(ec.status(id).lastError()).contains("email_missing");
    assertThatThrownBy(() -> ec.writableState(id))
        .isInstanceOf(StaleStateException.class)
        .hasMessageContaining("email_missing");
    assertThatThrownBy(ec::refresh)
        .as("still refused at the next refresh, never started on a schema that does not fit")
        .isInstanceOf(InvalidMigrationException.class);
    assertThat(ec.started()).isFalse();
  }

  @Test
  void aBatchMeetingALongTransactionsLockGivesUpQuicklyShrinksAndRetries() throws Exception {
    Duration lockTimeout = Duration.ofMillis(500);
    Model model = Customers.emailModel(false, Customers.smallBatches(BATCH, lockTimeout));
    ExpandContract ec = instance(dataSource, model);
    ec.control().startBackfill(model.id(), "test");
    long locked = BATCH * 3 / 4; // inside the first batch's range
    try (Connection longTransaction = dataSource.getConnection()) {
      longTransaction.setAutoCommit(false);
      TestSql.update(longTransaction, "UPDATE customers SET name = 'held' WHERE id = ?", locked);

      CompletableFuture<BatchOutcome> batch =
          CompletableFuture.supplyAsync(() -> runBatch(ec, model.id()));
      // The application's traffic on other rows of the table is not held up meanwhile.
      long started = System.nanoTime();
      TestSql.update(dataSource, "UPDATE customers SET name = 'other' WHERE id = ?", ROWS - 1);
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("an update outside the batch's range")
          .isLessThan(Duration.ofMillis(300));
      assertThat(batch.get(30, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.COPIED);
      assertThat(failures).as("attempts that met the lock").isNotEmpty();
      assertThat(Long.parseLong(batches.get(0).cursor()))
          .as("the shrunk batch copied the rows before the locked one")
          .isLessThan(locked);
      longTransaction.rollback();
    }
    runToTheEnd(ec, model.id());
    Customers.assertConverged(dataSource, model);
  }

  @Test
  void rowsWhoseTransformFailsAreSetAsideAndTheRestCompletes() throws Exception {
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS poison_items",
        "CREATE TABLE poison_items (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(50),"
            + " code VARCHAR(5))");
    List<Long> poisoned = List.of(17L, 500L, 501L, 999L);
    for (long i = 1; i <= ROWS; i++) {
      String name = poisoned.contains(i) ? "much-too-long-" + i : "n" + i;
      TestSql.update(dataSource, "INSERT INTO poison_items (id, name) VALUES (?, ?)", i, name);
    }
    Migration migration =
        Migration.column("item-code")
            .table("poison_items")
            .key("id")
            .map("name")
            .to("code")
            .using("upper(name)")
            .backfill(Customers.smallBatches(BATCH))
            .build();
    List<String> setAside = new CopyOnWriteArrayList<>();
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(migration)
            .instanceId("poisoned")
            .tablePrefix(Customers.STATE_PREFIX)
            .listener(
                new ExpandContractListener() {
                  @Override
                  public void poisonRow(String migrationId, String key, String error) {
                    setAside.add(key);
                  }
                })
            .build();
    String id = migration.id();
    ec.control().startBackfill(id, "test");
    runToTheEnd(ec, id);

    List<String> keys = poisoned.stream().map(String::valueOf).toList();
    assertThat(setAside).as("poison events").containsExactlyElementsOf(keys);
    assertThat(ec.store().poison().all(id))
        .extracting(PoisonRow::key)
        .containsExactlyInAnyOrderElementsOf(keys);
    assertThat(ec.store().poison().all(id)).allMatch(row -> !row.error().isBlank());
    assertThat(ec.status(id).poisonRows()).isEqualTo(poisoned.size());
    assertThat(
            TestSql.queryLong(
                dataSource, "SELECT COUNT(*) FROM poison_items WHERE code = upper(name)"))
        .as("every other row copied")
        .isEqualTo(ROWS - poisoned.size());
    assertThatThrownBy(() -> ec.control().verify(id, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("4 row(s) set aside")
        .hasMessageContaining("key 17");
    assertThat(ec.status(id).phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(ec.status(id).allowedActions())
        .filteredOn(a -> a.action() == MigrationAction.VERIFY)
        .singleElement()
        .satisfies(a -> assertThat(a.refusedBecause()).contains("4 row(s) set aside"));
    assertThat(ec.status(id).allowedActions())
        .filteredOn(a -> a.action() == MigrationAction.RETRY_POISON)
        .singleElement()
        .satisfies(a -> assertThat(a.refusedBecause()).isNull());

    // Retried before the data is fixed, the rows stay aside; after, they copy and verify passes.
    assertThat(ec.control().retryPoison(id, "test")).hasSize(poisoned.size());
    TestSql.update(dataSource, "UPDATE poison_items SET name = 'fixed' WHERE name LIKE 'much%'");
    assertThat(ec.control().retryPoison(id, "test")).isEmpty();
    assertThat(ec.status(id).allowedActions())
        .extracting(a -> a.action().actionName())
        .as("nothing left to retry")
        .doesNotContain("retry-poison");
    assertThatThrownBy(() -> ec.control().retryPoison(id, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("no row is set aside");
    assertThat(ec.control().verify(id, "test").mismatches()).isZero();
    assertThat(ec.status(id).phase()).isEqualTo(Phase.VERIFIED);
  }

  private void runToTheEnd(ExpandContract ec, String id) {
    BatchOutcome outcome;
    do {
      outcome = runBatch(ec, id);
      assertThat(outcome)
          .as("last error: %s", ec.status(id).lastError())
          .isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
    } while (outcome != BatchOutcome.FINISHED);
    assertThat(ec.status(id).phase()).isEqualTo(Phase.BACKFILLED);
  }

  private static BatchOutcome runBatch(ExpandContract ec, String id) {
    try {
      return ec.backfill().runBatch(id);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every pooled connection works again: none of them is the dead one. */
  private void assertPoolWorks(ExpandContract ec) {
    for (int i = 0; i < dataSource.getMaximumPoolSize() + 2; i++) {
      assertThat(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customers")).isEqualTo(ROWS);
    }
    assertThat(ec.status(Customers.EMAIL).phase()).isEqualTo(Phase.BACKFILLED);
  }

  private ExpandContract instance(DataSource source, Model model) {
    return builder(source, model).build();
  }

  private ExpandContractBuilder builder(DataSource source, Model model) {
    return ExpandContract.builder(source)
        .migration(model.migration())
        .instanceId("faulty")
        .tablePrefix(Customers.STATE_PREFIX)
        .listener(
            new ExpandContractListener() {
              @Override
              public void batchCompleted(BatchCompleted batch) {
                batches.add(batch);
              }

              @Override
              public void batchFailed(String migrationId, int attempt, Throwable error) {
                failures.add(error);
              }
            });
  }
}
