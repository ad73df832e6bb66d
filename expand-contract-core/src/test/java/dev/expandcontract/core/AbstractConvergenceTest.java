package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.test.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Invariant 2, convergence: a backfill in small batches runs while several writers insert,
 * update and delete customers the way the starter does (old row by the application, then the
 * dual write, in one transaction). Afterwards new equals transform(old) row by row, and the
 * verifier agrees.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractConvergenceTest {

  private static final int SEEDED = 4_000;
  private static final int BATCH = 50;
  private static final int WRITERS = 4;
  private static final Duration BACKFILL_DEADLINE = Duration.ofSeconds(20);

  private static final Logger log = LoggerFactory.getLogger(AbstractConvergenceTest.class);

  private HikariDataSource dataSource;
  // The backfill's checkpoint: writers aim half their work just past it, where races happen.
  private final AtomicLong cursor = new AtomicLong();

  /** The database engine under test. */
  protected abstract TestDatabase database();

  /** SQL states of failures a concurrent writer may meet and the application would retry. */
  protected abstract Set<String> retryableSqlStates();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("convergence_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    cursor.set(0);
    Customers.recreate(dataSource);
    Customers.seed(dataSource, SEEDED, 42);
  }

  @Test
  void columnMigrationWithSqlTransformOnlyConvergesUnderConcurrentWrites() throws Exception {
    convergesUnderLoad(Customers.emailModel(false, Customers.smallBatches(BATCH)));
  }

  @Test
  void columnMigrationWithJavaTwinConvergesUnderConcurrentWrites() throws Exception {
    convergesUnderLoad(Customers.emailModel(true, Customers.smallBatches(BATCH)));
  }

  @Test
  void tableMigrationConvergesUnderConcurrentWrites() throws Exception {
    convergesUnderLoad(Customers.addressModel(false, Customers.smallBatches(BATCH)));
  }

  @Test
  void tableMigrationWithSqlTransformOnlyConvergesUnderConcurrentWrites() throws Exception {
    convergesUnderLoad(Customers.addressModel(true, Customers.smallBatches(BATCH)));
  }

  private void convergesUnderLoad(Model model) throws Exception {
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(model.migration())
            .instanceId("backfiller")
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .listener(
                new ExpandContractListener() {
                  @Override
                  public void batchCompleted(BatchCompleted batch) {
                    cursor.set(Long.parseLong(batch.cursor()));
                  }
                })
            .build();
    Writers writers = new Writers(ec, model);
    writers.start();
    BatchOutcome outcome;
    int batches = 0;
    long opsAtStart;
    long opsAtEnd;
    try {
      writers.awaitEveryWriterCommitted();
      opsAtStart = writers.committed();
      ec.control().startBackfill(model.id(), "test");
      long deadline = System.nanoTime() + BACKFILL_DEADLINE.toNanos();
      do {
        outcome = ec.backfill().runBatch(model.id());
        batches++;
        assertThat(outcome)
            .as("batch %d (last error: %s)", batches, ec.status(model.id()).lastError())
            .isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
      } while (outcome != BatchOutcome.FINISHED && System.nanoTime() < deadline);
      opsAtEnd = writers.committed();
    } finally {
      writers.stop();
    }

    log.info(
        "{} on {}: {} batches; writers committed {} inserts, {} updates, {} deletes ({} during the"
            + " backfill), {} retryable failures",
        model.id(),
        database(),
        batches,
        writers.inserts.get(),
        writers.updates.get(),
        writers.deletes.get(),
        opsAtEnd - opsAtStart,
        writers.retryable.get());
    assertThat(outcome)
        .as("backfill finished within " + BACKFILL_DEADLINE)
        .isEqualTo(BatchOutcome.FINISHED);
    writers.assertNoUnexpectedFailure();
    // The test proves something only if batches and writes really interleaved.
    assertThat(batches).as("batches").isGreaterThan(SEEDED / BATCH / 2);
    assertThat(opsAtEnd - opsAtStart).as("writes committed during the backfill").isGreaterThan(200);
    assertThat(writers.inserts.get()).as("inserts").isPositive();
    assertThat(writers.updates.get()).as("updates").isPositive();
    assertThat(writers.deletes.get()).as("deletes").isPositive();
    assertThat(ec.status(model.id()).phase()).isEqualTo(Phase.BACKFILLED);

    Customers.assertConverged(dataSource, model);

    VerificationReport report = ec.control().verify(model.id(), "test");
    assertThat(report.mismatches()).as(report.summary()).isZero();
    assertThat(report.rowsChecked())
        .isEqualTo(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customers"));
    assertThat(ec.status(model.id()).phase()).isEqualTo(Phase.VERIFIED);
  }

  /** Application threads: random inserts, updates and deletes, each its own transaction. */
  private final class Writers {
    private final ExpandContract ec;
    private final Model model;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong nextId = new AtomicLong(SEEDED + 1);
    private final AtomicLong inserts = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();
    private final AtomicLong retryable = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    private final CountDownLatch everyWriterCommitted = new CountDownLatch(WRITERS);
    private final List<Thread> threads = new ArrayList<>();

    Writers(ExpandContract ec, Model model) {
      this.ec = ec;
      this.model = model;
    }

    void start() {
      for (int w = 0; w < WRITERS; w++) {
        Random random = new Random(1000 + w);
        Thread thread = new Thread(() -> loop(random), "writer-" + w);
        threads.add(thread);
        thread.start();
      }
    }

    void awaitEveryWriterCommitted() throws InterruptedException {
      if (!everyWriterCommitted.await(10, TimeUnit.SECONDS)) {
        throw new AssertionError("writers did not start committing: " + unexpected);
      }
    }

    long committed() {
      return inserts.get() + updates.get() + deletes.get();
    }

    private void loop(Random random) {
      boolean counted = false;
      while (!stop.get()) {
        int op = random.nextInt(10);
        long id =
            random.nextBoolean()
                ? cursor.get() + 1 + random.nextInt(2 * BATCH)
                : 1 + random.nextLong(nextId.get() - 1);
        try {
          if (op < 5) {
            List<Object> values = model.randomValues().apply(random);
            if (inTransaction(random, Customers.update(ec, model, id, values))) {
              updates.incrementAndGet();
            }
          } else if (op < 8) {
            long newId = nextId.getAndIncrement();
            List<Object> values = model.randomValues().apply(random);
            inTransaction(random, Customers.insert(ec, model, newId, values));
            inserts.incrementAndGet();
          } else if (inTransaction(random, Customers.delete(ec, model, id))) {
            deletes.incrementAndGet();
          }
          if (!counted && committed() > 0) {
            everyWriterCommitted.countDown();
            counted = true;
          }
        } catch (SQLException e) {
          if (retryableSqlStates().contains(e.getSQLState())) {
            retryable.incrementAndGet(); // a deadlock victim: the application would retry
          } else {
            unexpected.add(e);
          }
        } catch (RuntimeException | Error e) {
          unexpected.add(e);
        }
      }
    }

    private boolean inTransaction(Random random, Customers.Work work) throws SQLException {
      return Customers.inTransaction(
          dataSource,
          connection -> {
            boolean done = work.run(connection);
            // Application think time before the commit, up to 2 ms: it paces the load and keeps
            // dual writes uncommitted long enough for batches to meet them.
            LockSupport.parkNanos(random.nextInt(2_000_000));
            return done;
          });
    }

    void stop() throws InterruptedException {
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(10_000);
        assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
      }
    }

    void assertNoUnexpectedFailure() {
      if (!unexpected.isEmpty()) {
        AssertionError error =
            new AssertionError(unexpected.size() + " writer transaction(s) failed unexpectedly");
        unexpected.stream().limit(3).forEach(error::addSuppressed);
        throw error;
      }
    }
  }
}
