package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.BackfillChunk;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.test.TestDatabase;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * Invariant 2, convergence: a backfill in small batches runs while several writers insert, update
 * and delete customers the way the starter does (old row by the application, then the dual write,
 * in one transaction). Afterwards new equals transform(old) row by row, and the verifier agrees.
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

  @Test
  void twoMigrationsOfOneTableBackfillingAtOnceBothConverge() throws Exception {
    // DESIGN.md: several migrations run at once, also on the same table, each with its own cursor.
    convergesUnderLoad(
        Customers.emailModel(false, Customers.smallBatches(BATCH)),
        Customers.addressModel(true, Customers.smallBatches(BATCH)));
  }

  @Test
  void aTableBackfillRepairsNewRowsThatDifferInAnyOneMappedColumn() throws Exception {
    // New rows left by an earlier run, each wrong in exactly one mapped column (the first
    // included):
    // the copy at the shipped defaults (the anti-join form on an idle PostgreSQL) repairs each.
    Model model = Customers.addressModel(false, BackfillSettings.DEFAULTS);
    TestSql.execute(
        dataSource,
        "INSERT INTO customer_addresses (customer_id, street, city, postal_code)"
            + " SELECT id, street, city, zip FROM customers",
        "UPDATE customer_addresses SET street = 'stale street' WHERE MOD(customer_id, 3) = 0",
        "UPDATE customer_addresses SET city = 'stale city' WHERE MOD(customer_id, 3) = 1",
        "UPDATE customer_addresses SET postal_code = 'stale' WHERE MOD(customer_id, 3) = 2");
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(model.migration())
            .instanceId("backfiller")
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
    ec.control().startBackfill(model.id(), "test");
    BatchOutcome outcome;
    int batches = 0;
    do {
      outcome = ec.backfill().runBatch(model.id());
      assertThat(outcome)
          .as("batch %d (last error: %s)", ++batches, ec.status(model.id()).lastError())
          .isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
    } while (outcome != BatchOutcome.FINISHED);

    Customers.assertConverged(dataSource, model);
    VerificationReport report = ec.control().verify(model.id(), "test");
    assertThat(report.mismatches()).as(report.summary()).isZero();
  }

  private void convergesUnderLoad(Model... models) throws Exception {
    List<Model> all = List.of(models);
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migrations(all.stream().map(Model::migration).toList())
            .instanceId("backfiller")
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .listener(
                new ExpandContractListener() {
                  @Override
                  public void batchCompleted(BatchCompleted batch) {
                    cursor.set(Long.parseLong(batch.cursor())); // round robin: both are close
                  }
                })
            .build();
    Writers writers = new Writers(ec, all);
    writers.start();
    boolean finished;
    int batches = 0;
    long opsAtStart;
    long opsAtEnd;
    try {
      writers.awaitEveryWriterCommitted();
      opsAtStart = writers.committed();
      for (Model model : all) {
        ec.control().startBackfill(model.id(), "test");
      }
      // Round robin over the unfinished backfills, so that their batches interleave too.
      Set<String> running = new LinkedHashSet<>(all.stream().map(Model::id).toList());
      long deadline = System.nanoTime() + BACKFILL_DEADLINE.toNanos();
      while (!running.isEmpty() && System.nanoTime() < deadline) {
        for (String id : List.copyOf(running)) {
          BatchOutcome outcome = ec.backfill().runBatch(id);
          batches++;
          assertThat(outcome)
              .as("batch %d of %s (last error: %s)", batches, id, ec.status(id).lastError())
              .isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
          if (outcome == BatchOutcome.FINISHED) {
            running.remove(id);
          }
        }
      }
      finished = running.isEmpty();
      opsAtEnd = writers.committed();
    } finally {
      writers.stop();
    }

    log.info(
        "{} on {}: {} batches; writers committed {} inserts, {} updates, {} deletes ({} during the"
            + " backfill), {} retryable failures",
        all.stream().map(Model::id).toList(),
        database(),
        batches,
        writers.inserts.get(),
        writers.updates.get(),
        writers.deletes.get(),
        opsAtEnd - opsAtStart,
        writers.retryable.get());
    assertThat(finished).as("backfill finished within " + BACKFILL_DEADLINE).isTrue();
    writers.assertNoUnexpectedFailure();
    // The test proves something only if batches and writes really interleaved.
    assertThat(batches).as("batches").isGreaterThan(all.size() * SEEDED / BATCH / 2);
    assertThat(opsAtEnd - opsAtStart).as("writes committed during the backfill").isGreaterThan(200);
    assertThat(writers.inserts.get()).as("inserts").isPositive();
    assertThat(writers.updates.get()).as("updates").isPositive();
    assertThat(writers.deletes.get()).as("deletes").isPositive();
    for (Model model : all) {
      assertThat(ec.status(model.id()).phase()).isEqualTo(Phase.BACKFILLED);
      Customers.assertConverged(dataSource, model);
    }
    for (Model model : all) {
      VerificationReport report = ec.control().verify(model.id(), "test");
      assertThat(report.mismatches()).as(report.summary()).isZero();
      assertThat(report.rowsChecked())
          .isEqualTo(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customers"));
      assertThat(ec.status(model.id()).phase()).isEqualTo(Phase.VERIFIED);
    }
  }

  @Test
  void threeEnginesCopyTheirOwnChunksAtOnceAndConverge() throws Exception {
    convergesWithEngines(3, Customers.emailModel(false, Customers.smallBatches(BATCH)));
  }

  @Test
  void threeEnginesOfATableMigrationCopyTheirOwnChunksAtOnceAndConverge() throws Exception {
    convergesWithEngines(3, Customers.addressModel(false, Customers.smallBatches(BATCH)));
  }

  /**
   * Several instances on one database, each with its own engine on its own thread, backfill one
   * migration cut into chunks of {@code 4 * BATCH} rows under the writers' load. Every engine
   * copies; each chunk's batches come from one engine only (nobody died, so no chunk changed hands)
   * and follow each other without gap or overlap; new converges.
   */
  private void convergesWithEngines(int count, Model model) throws Exception {
    String id = model.id();
    Map<String, List<BatchCompleted>> batchesOf = new ConcurrentHashMap<>();
    List<ExpandContract> engines = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String instance = "engine-" + i;
      List<BatchCompleted> batches = new CopyOnWriteArrayList<>();
      batchesOf.put(instance, batches);
      engines.add(
          ExpandContract.builder(dataSource)
              .migration(model.migration())
              .instanceId(instance)
              .chunkRows(4 * BATCH)
              .soakTime(Duration.ZERO)
              .tablePrefix(Customers.STATE_PREFIX)
              .listener(
                  new ExpandContractListener() {
                    @Override
                    public void batchCompleted(BatchCompleted batch) {
                      batches.add(batch);
                      cursor.set(Long.parseLong(batch.cursor()));
                    }
                  })
              .build());
    }
    Writers writers = new Writers(engines.get(0), List.of(model));
    writers.start();
    long opsAtStart;
    long opsAtEnd;
    List<BatchOutcome> outcomes;
    try {
      writers.awaitEveryWriterCommitted();
      opsAtStart = writers.committed();
      engines.get(0).control().startBackfill(id, "test");
      List<CompletableFuture<BatchOutcome>> running =
          engines.stream()
              .map(ec -> CompletableFuture.supplyAsync(() -> backfill(ec, id)))
              .toList();
      outcomes = new ArrayList<>();
      for (CompletableFuture<BatchOutcome> engine : running) {
        outcomes.add(engine.get(BACKFILL_DEADLINE.toSeconds() + 10, TimeUnit.SECONDS));
      }
      opsAtEnd = writers.committed();
    } finally {
      writers.stop();
    }
    writers.assertNoUnexpectedFailure();
    assertThat(outcomes)
        .as("what each engine's last batch call returned")
        .contains(BatchOutcome.FINISHED);
    // Three engines finish about three times sooner than one: fewer writes meet them.
    assertThat(opsAtEnd - opsAtStart).as("writes committed during the backfill").isGreaterThan(100);
    batchesOf.forEach(
        (instance, batches) -> assertThat(batches).as("batches of " + instance).isNotEmpty());

    List<BackfillChunk> chunks = engines.get(0).store().chunks().all(id);
    assertThat(chunks).hasSizeGreaterThan(count).allMatch(BackfillChunk::done);
    for (BackfillChunk chunk : chunks) {
      long lower = chunk.lowerKey() == null ? 0 : Long.parseLong(chunk.lowerKey());
      long upper = Long.parseLong(chunk.upperKey());
      Set<String> copiers = new LinkedHashSet<>();
      List<Long> cursors = new ArrayList<>();
      batchesOf.forEach(
          (instance, batches) ->
              batches.stream()
                  .map(b -> Long.parseLong(b.cursor()))
                  .filter(c -> c > lower && c <= upper)
                  .forEach(
                      c -> {
                        copiers.add(instance);
                        cursors.add(c);
                      }));
      assertThat(copiers).as("engines that copied chunk %d", chunk.chunkNo()).hasSize(1);
      assertThat(cursors)
          .as(
              "cursors of chunk %d: each batch after the one before, ending at its upper key",
              chunk.chunkNo())
          .isSorted()
          .doesNotHaveDuplicates()
          .last()
          .isEqualTo(upper);
    }
    ExpandContract ec = engines.get(0);
    assertThat(ec.status(id).phase()).isEqualTo(Phase.BACKFILLED);
    Customers.assertConverged(dataSource, model);
    VerificationReport report = ec.control().verify(id, "test");
    assertThat(report.mismatches()).as(report.summary()).isZero();
  }

  /** One engine's loop, as the scheduler runs it: batches until no chunk is left to copy. */
  private static BatchOutcome backfill(ExpandContract ec, String id) {
    long deadline = System.nanoTime() + BACKFILL_DEADLINE.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        BatchOutcome outcome = ec.backfill().runBatch(id);
        if (outcome != BatchOutcome.COPIED) {
          assertThat(outcome)
              .as("%s stopped (last error: %s)", ec.instanceId(), ec.status(id).lastError())
              .isIn(BatchOutcome.FINISHED, BatchOutcome.IDLE, BatchOutcome.CLAIMED_ELSEWHERE);
          if (outcome != BatchOutcome.CLAIMED_ELSEWHERE) {
            return outcome;
          }
          // The last chunks are all leased by the other engines: poll as the scheduler does.
          LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
      }
      throw new AssertionError(ec.instanceId() + " did not finish within " + BACKFILL_DEADLINE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Application threads: random inserts, updates and deletes, each its own transaction. */
  private final class Writers {
    private final ExpandContract ec;
    private final List<Model> models;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong nextId = new AtomicLong(SEEDED + 1);
    private final AtomicLong inserts = new AtomicLong();
    private final AtomicLong updates = new AtomicLong();
    private final AtomicLong deletes = new AtomicLong();
    private final AtomicLong retryable = new AtomicLong();
    private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    private final CountDownLatch everyWriterCommitted = new CountDownLatch(WRITERS);
    private final List<Thread> threads = new ArrayList<>();

    Writers(ExpandContract ec, List<Model> models) {
      this.ec = ec;
      this.models = models;
    }

    private List<List<Object>> randomValues(Random random) {
      return models.stream().map(m -> m.randomValues().apply(random)).toList();
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
      boolean committedOnce = false;
      while (!stop.get()) {
        int op = random.nextInt(10);
        long id =
            random.nextBoolean()
                ? cursor.get() + 1 + random.nextInt(2 * BATCH)
                : 1 + random.nextLong(nextId.get() - 1);
        try {
          boolean committed;
          if (op < 5) {
            committed =
                inTransaction(random, Customers.update(ec, models, id, randomValues(random)));
            if (committed) {
              updates.incrementAndGet();
            }
          } else if (op < 8) {
            long newId = nextId.getAndIncrement();
            committed =
                inTransaction(random, Customers.insert(ec, models, newId, randomValues(random)));
            inserts.incrementAndGet();
          } else {
            committed = inTransaction(random, Customers.delete(ec, models, id));
            if (committed) {
              deletes.incrementAndGet();
            }
          }
          if (committed && !committedOnce) {
            everyWriterCommitted.countDown();
            committedOnce = true;
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
