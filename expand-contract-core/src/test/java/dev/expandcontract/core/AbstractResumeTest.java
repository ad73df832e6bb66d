package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Invariant 3, resumable: an instance dies in the middle of a batch (after the copy, before the
 * commit). The batch and its checkpoint vanish together; another instance takes the chunk over once
 * the dead one's lease ran out, continues from the checkpoint rather than from zero, and the
 * backfill converges.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractResumeTest {

  private static final int ROWS = 1_000;
  private static final int BATCH = 50;
  private static final int BATCHES_BEFORE_CRASH = 8;
  private static final long CHECKPOINT = BATCHES_BEFORE_CRASH * BATCH; // ids are 1..ROWS

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("resume_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 7);
  }

  @Test
  void columnMigrationResumesFromTheCheckpointAfterACrashMidBatch() throws Exception {
    resumesAfterCrash(Customers.emailModel(false, Customers.smallBatches(BATCH)));
  }

  @Test
  void tableMigrationResumesFromTheCheckpointAfterACrashMidBatch() throws Exception {
    resumesAfterCrash(Customers.addressModel(false, Customers.smallBatches(BATCH)));
  }

  private void resumesAfterCrash(Model model) throws Exception {
    String id = model.id();
    MutableClock clock = MutableClock.startingNow();
    FaultyDataSource crashing = new FaultyDataSource(dataSource);
    ExpandContract dying = instance(crashing, model, "dying", clock, new CopyOnWriteArrayList<>());
    dying.control().startBackfill(id, "test");
    for (int i = 0; i < BATCHES_BEFORE_CRASH; i++) {
      assertThat(dying.backfill().runBatch(id)).isEqualTo(BatchOutcome.COPIED);
    }
    MigrationState checkpoint = dying.store().load(id).orElseThrow();
    assertThat(checkpoint.cursorKey()).isEqualTo(String.valueOf(CHECKPOINT));
    assertThat(checkpoint.rowsDone()).isEqualTo(CHECKPOINT);

    crashing.crashAtNextCommit();
    assertThatThrownBy(() -> dying.backfill().runBatch(id))
        .isInstanceOf(FaultyDataSource.SimulatedCrash.class);

    // The batch in flight is lost as a whole: neither its rows nor its checkpoint survived.
    MigrationState afterCrash = dying.store().load(id).orElseThrow();
    assertThat(afterCrash.cursorKey()).isEqualTo(checkpoint.cursorKey());
    assertThat(afterCrash.rowsDone()).isEqualTo(checkpoint.rowsDone());
    assertThat(afterCrash.claimOwner()).as("the dead instance's claim").isEqualTo("dying");
    assertThat(copiedBetween(model, CHECKPOINT + 1, CHECKPOINT + BATCH))
        .as("rows of the lost batch in new")
        .isZero();
    assertThat(copiedBetween(model, 1, CHECKPOINT)).isEqualTo(nonNullOldValues(model, CHECKPOINT));

    // While the instance is down the application keeps writing, also in the lost batch's range.
    ExpandContract successor =
        instance(dataSource, model, "successor", clock, new CopyOnWriteArrayList<>());
    Customers.inTransaction(
        dataSource, Customers.update(successor, model, CHECKPOINT + 5, changedValues(model)));
    Customers.inTransaction(dataSource, Customers.delete(successor, model, CHECKPOINT + 6));

    // The dead instance's lease still holds: nobody may take the range over yet, and the status
    // says whose lease it waits for and until when.
    assertThat(successor.backfill().runBatch(id)).isEqualTo(BatchOutcome.CLAIMED_ELSEWHERE);
    assertThat(successor.store().load(id).orElseThrow().version()).isEqualTo(afterCrash.version());
    assertThat(successor.status(id).chunks().waitingFor())
        .contains("chunk 0", "after " + CHECKPOINT, "of dying worker 0")
        .contains("at " + Instant.ofEpochMilli(clock.millis() + 10_000));

    clock.advance(Duration.ofSeconds(11)); // past the default 10 s lease
    List<BatchCompleted> batches = new CopyOnWriteArrayList<>();
    ExpandContract resumed = instance(dataSource, model, "successor", clock, batches);
    BatchOutcome outcome = resumed.backfill().runBatch(id);
    assertThat(outcome).isEqualTo(BatchOutcome.COPIED);
    assertThat(batches.get(0).cursor())
        .as("the first batch after the take-over continues after the checkpoint")
        .isEqualTo(
            String.valueOf(
                TestSql.queryLong(
                    dataSource,
                    "SELECT id FROM customers WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
                    CHECKPOINT,
                    BATCH - 1)));
    assertThat(resumed.store().load(id).orElseThrow().claimOwner()).isEqualTo("successor");

    // The dead instance coming back to life finds the claim taken.
    assertThat(dying.backfill().runBatch(id)).isEqualTo(BatchOutcome.CLAIMED_ELSEWHERE);

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (outcome != BatchOutcome.FINISHED && System.nanoTime() < deadline) {
      outcome = resumed.backfill().runBatch(id);
      assertThat(outcome).isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
    }
    assertThat(outcome).isEqualTo(BatchOutcome.FINISHED);
    int fromScratch = ROWS / BATCH;
    assertThat(batches.size())
        .as("batches after the take-over")
        .isLessThanOrEqualTo(fromScratch - BATCHES_BEFORE_CRASH + 1)
        .isLessThan(fromScratch);
    MigrationStatus status = resumed.status(id);
    assertThat(status.phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(status.rowsDone())
        .as("rows done: each key range counted once, the lost batch not at all")
        .isEqualTo(ROWS - 1) // one customer was deleted while the instance was down
        .isEqualTo(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customers"));

    Customers.assertConverged(dataSource, model);
    assertThat(resumed.control().verify(id, "test").mismatches()).isZero();
    assertThat(resumed.status(id).phase()).isEqualTo(Phase.VERIFIED);
  }

  private ExpandContract instance(
      javax.sql.DataSource source,
      Model model,
      String instanceId,
      MutableClock clock,
      List<BatchCompleted> batches) {
    return ExpandContract.builder(source)
        .migration(model.migration())
        .instanceId(instanceId)
        .clock(clock)
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

  private static List<Object> changedValues(Model model) {
    return model.kind() == MigrationKind.COLUMN
        ? List.of("  Changed.While@DOWN.example ")
        : List.of("1 Changed Street", "Down Town", "99999");
  }

  /** Rows in [from, to] that the backfill has written to new. */
  private long copiedBetween(Model model, long from, long to) {
    return model.kind() == MigrationKind.COLUMN
        ? TestSql.queryLong(
            dataSource,
            "SELECT COUNT(*) FROM customers WHERE email_normalized IS NOT NULL"
                + " AND id BETWEEN ? AND ?",
            from,
            to)
        : TestSql.queryLong(
            dataSource,
            "SELECT COUNT(*) FROM customer_addresses WHERE customer_id BETWEEN ? AND ?",
            from,
            to);
  }

  /** What {@link #copiedBetween} must find for ids 1..to once copied. */
  private long nonNullOldValues(Model model, long to) {
    return model.kind() == MigrationKind.COLUMN
        ? TestSql.queryLong(
            dataSource, "SELECT COUNT(*) FROM customers WHERE email IS NOT NULL AND id <= ?", to)
        : to;
  }
}
