package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A dual write and a backfill batch meeting on one row, in both orders, made deterministic by
 * holding one side until the other is seen waiting for its row lock in the database. Whoever
 * commits last, new ends up equal to transform(old): a deleted row is not copied back, an updated
 * row is not overwritten with its old value.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractCopyRaceTest {

  private static final int ROWS = 200;
  private static final int BATCH = 50;
  private static final long K = 25; // inside the first batch's range
  private static final String CHECKPOINT =
      "UPDATE " + Customers.STATE_PREFIX + "migration SET rows_done";

  private HikariDataSource dataSource;
  private ExecutorService threads;
  private final AtomicInteger failedAttempts = new AtomicInteger();

  protected abstract TestDatabase database();

  /** How many sessions wait for a lock on a table of the database right now. */
  protected abstract long lockWaits(DataSource dataSource);

  /** What every session of the current database is doing: printed when a wait goes wrong. */
  protected abstract String sessionsQuery();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("copyrace_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 5);
    TestSql.update(
        dataSource, "UPDATE customers SET email = ' Before@Example.COM' WHERE id = ?", K);
    threads = Executors.newCachedThreadPool();
    failedAttempts.set(0);
  }

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  // A lock timeout far beyond the test's waits: the batch must wait, not fail and retry.
  private static Model address() {
    return Customers.addressModel(false, Customers.smallBatches(BATCH, Duration.ofSeconds(30)));
  }

  private static Model email() {
    return Customers.emailModel(false, Customers.smallBatches(BATCH, Duration.ofSeconds(30)));
  }

  // ---- the dual write holds the row; the batch waits for it ---------------------------------

  @Test
  void aBatchWaitingForAnUncommittedDeleteDoesNotCopyTheRowBack() throws Exception {
    Model model = address();
    ExpandContract ec = started(dataSource, model);
    // A dual write gave k a new row earlier; now the application deletes k.
    Customers.inTransaction(dataSource, Customers.update(ec, model, K, values(model, "Old")));

    try (Connection t1 = open()) {
      Customers.delete(ec, model, K).run(t1);
      Future<BatchOutcome> batch = threads.submit(() -> ec.backfill().runBatch(model.id()));
      awaitLockWait(batch);
      t1.commit();
      assertThat(batch.get(20, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.COPIED);
    }

    assertThat(newRow(model, K)).as("k in new").isNull();
    assertThat(newRowsUpTo(model, BATCH)).hasSize(BATCH - 1);
    assertThat(failedAttempts).as("failed batch attempts").hasValue(0);
  }

  @Test
  void aBatchWaitingForAnUncommittedUpdateCopiesTheNewestValues() throws Exception {
    Model model = address();
    ExpandContract ec = started(dataSource, model);

    List<Object> newest = values(model, "Newest");
    try (Connection t1 = open()) {
      Customers.update(ec, model, K, newest).run(t1);
      Future<BatchOutcome> batch = threads.submit(() -> ec.backfill().runBatch(model.id()));
      awaitLockWait(batch);
      t1.commit();
      assertThat(batch.get(20, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.COPIED);
    }

    assertThat(newRow(model, K)).isEqualTo(newest);
    assertThat(failedAttempts).as("failed batch attempts").hasValue(0);
    Customers.assertConverged(dataSource, model, BATCH); // the first batch's range
  }

  /**
   * At full speed (nothing else ran on the database) a table batch copies with the cheaper
   * anti-join on PostgreSQL, whose snapshot predates a dual write that inserted the new row while
   * the batch waited for the old one: the batch redoes its range as an upsert, without a failed
   * attempt, and copies the newest values.
   */
  @Test
  void aBatchAtFullSpeedWaitingForAnUpdateThatInsertedTheNewRowCopiesTheNewestValues()
      throws Exception {
    Model model = address();
    ExpandContract ec = started(dataSource, model);
    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    assertThat(ec.backfill().throttleState(model.id()).level())
        .as("nothing else ran on the database")
        .isEqualTo(ThrottleState.Level.FULL_SPEED);
    long notCopiedYet = BATCH + 10; // in the second batch's range

    List<Object> newest = values(model, "Newest");
    try (Connection t1 = open()) {
      Customers.update(ec, model, notCopiedYet, newest).run(t1);
      Future<BatchOutcome> batch = threads.submit(() -> ec.backfill().runBatch(model.id()));
      awaitLockWait(batch);
      t1.commit();
      assertThat(batch.get(20, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.COPIED);
    }

    assertThat(newRow(model, notCopiedYet)).isEqualTo(newest);
    assertThat(failedAttempts).as("failed batch attempts").hasValue(0);
    Customers.assertConverged(dataSource, model, 2 * BATCH);
  }

  @Test
  void aColumnBatchWaitingForAnUncommittedUpdateComputesFromTheNewestValue() throws Exception {
    Model model = email();
    ExpandContract ec = started(dataSource, model);

    try (Connection t1 = open()) {
      Customers.update(ec, model, K, List.of("  Newest@Example.COM ")).run(t1);
      Future<BatchOutcome> batch = threads.submit(() -> ec.backfill().runBatch(model.id()));
      awaitLockWait(batch);
      t1.commit();
      assertThat(batch.get(20, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.COPIED);
    }

    assertThat(newRow(model, K)).containsExactly("newest@example.com");
    assertThat(failedAttempts).as("failed batch attempts").hasValue(0);
  }

  // ---- the batch holds its rows; the dual write waits for them ------------------------------

  @Test
  void aDeleteWaitingForABatchRemovesTheRowTheBatchCopied() throws Exception {
    Model model = address();
    FaultyDataSource held = new FaultyDataSource(dataSource);
    ExpandContract ec = started(held, model);

    Future<Boolean> delete = batchFirst(held, ec, model, Customers.delete(ec, model, K));

    assertThat(delete.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(newRow(model, K)).as("k in new").isNull();
    assertThat(newRowsUpTo(model, BATCH)).hasSize(BATCH - 1);
  }

  @Test
  void anUpdateWaitingForABatchOverwritesTheValuesTheBatchCopied() throws Exception {
    Model model = address();
    FaultyDataSource held = new FaultyDataSource(dataSource);
    ExpandContract ec = started(held, model);
    List<Object> newest = values(model, "Newest");

    Future<Boolean> update = batchFirst(held, ec, model, Customers.update(ec, model, K, newest));

    assertThat(update.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(newRow(model, K)).isEqualTo(newest);
  }

  @Test
  void aColumnUpdateWaitingForABatchRecomputesTheValueTheBatchCopied() throws Exception {
    Model model = email();
    FaultyDataSource held = new FaultyDataSource(dataSource);
    ExpandContract ec = started(held, model);

    Future<Boolean> update =
        batchFirst(held, ec, model, Customers.update(ec, model, K, List.of(" Newest@Example.COM")));

    assertThat(update.get(20, TimeUnit.SECONDS)).isTrue();
    assertThat(newRow(model, K)).containsExactly("newest@example.com");
  }

  /**
   * Runs a batch up to its checkpoint (its rows copied and locked), then starts the application's
   * transaction, waits until the database shows it waiting for a lock, and lets the batch commit.
   */
  private Future<Boolean> batchFirst(
      FaultyDataSource held, ExpandContract ec, Model model, Customers.Work work) throws Exception {
    CyclicBarrier atCheckpoint = new CyclicBarrier(2);
    held.holdStatements(CHECKPOINT, atCheckpoint);
    Future<BatchOutcome> batch = threads.submit(() -> ec.backfill().runBatch(model.id()));
    Poll.until(
        Duration.ofSeconds(10),
        "the batch reached its checkpoint",
        () -> atCheckpoint.getNumberWaiting() == 1);

    Future<Boolean> application = threads.submit(() -> Customers.inTransaction(dataSource, work));
    awaitLockWait(application);
    assertThat(batch).isNotDone();
    atCheckpoint.await(10, TimeUnit.SECONDS);
    held.release();
    assertThat(batch.get(20, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.COPIED);
    return application;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private ExpandContract started(DataSource source, Model model) {
    ExpandContract ec =
        ExpandContract.builder(source)
            .migration(model.migration())
            .instanceId("race")
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .listener(
                new ExpandContractListener() {
                  @Override
                  public void batchFailed(String migrationId, int attempt, Throwable error) {
                    failedAttempts.incrementAndGet();
                  }
                })
            .build();
    ec.control().startBackfill(model.id(), "test");
    return ec;
  }

  /** An application transaction, left open for the test to commit. */
  private Connection open() throws SQLException {
    Connection connection = dataSource.getConnection();
    connection.setAutoCommit(false);
    return connection;
  }

  private void awaitLockWait(Future<?> waiter) {
    try {
      Poll.until(
          Duration.ofSeconds(10),
          "a session waits for a row lock",
          () -> {
            if (waiter.isDone()) {
              throw new AssertionError(
                  "finished instead of waiting for the row lock: " + outcome(waiter));
            }
            return lockWaits(dataSource) >= 1;
          });
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; sessions: " + TestSql.rows(dataSource, sessionsQuery()), e);
    }
  }

  private static String outcome(Future<?> future) {
    try {
      return String.valueOf(future.get());
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static List<Object> values(Model model, String label) {
    return List.of(label + " Street 1", label + " City", label + "-99");
  }

  private List<Object> newRow(Model model, long key) {
    return TestSql.byKey(dataSource, model.newRows()).get(key);
  }

  private Map<Long, List<Object>> newRowsUpTo(Model model, long key) {
    Map<Long, List<Object>> rows = TestSql.byKey(dataSource, model.newRows());
    rows.keySet().removeIf(k -> k > key);
    return rows;
  }
}
