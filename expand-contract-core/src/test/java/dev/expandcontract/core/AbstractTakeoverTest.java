package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takeover after a crash, on the wall clock: the owner's heartbeat keeps its chunk leased however
 * long it pauses between batches; once it dies mid-batch (its heartbeat stops, the batch in flight
 * is rolled back) a surviving instance copies that chunk on within one lease.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractTakeoverTest {

  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final Duration HEARTBEAT = Duration.ofMillis(500);
  private static final Duration POLL = Duration.ofMillis(100);

  private static final Logger log = LoggerFactory.getLogger(AbstractTakeoverTest.class);

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("takeover_" + database().name().toLowerCase());
    Customers.recreate(dataSource);
    Customers.seed(dataSource, 2_000, 11);
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @Test
  void aSurvivorTakesTheDeadOwnersChunkOverWithinOneLease() throws Exception {
    Model model = Customers.emailModel(false, Customers.smallBatches(50));
    String id = model.id();
    FaultyDataSource dyingSource = new FaultyDataSource(dataSource);
    ExpandContract dying = instance(dyingSource, model, "dying");
    ExpandContract survivor = instance(dataSource, model, "survivor");
    dying.control().startBackfill(id, "test");
    AtomicBoolean dyingAlive = new AtomicBoolean(true);
    CompletableFuture<Void> dyingHeartbeat = heartbeat(dying, dyingAlive);
    AtomicBoolean survivorAlive = new AtomicBoolean(true);
    CompletableFuture<Void> survivorHeartbeat = heartbeat(survivor, survivorAlive);
    try {
      for (int i = 0; i < 3; i++) {
        assertThat(dying.backfill().runBatch(id)).isEqualTo(BatchOutcome.COPIED);
      }
      // Two leases long without a batch: the heartbeat alone keeps the chunk leased.
      long idleUntil = System.nanoTime() + LEASE.multipliedBy(2).toNanos();
      while (System.nanoTime() < idleUntil) {
        assertThat(survivor.backfill().runBatch(id)).isEqualTo(BatchOutcome.CLAIMED_ELSEWHERE);
        LockSupport.parkNanos(POLL.toNanos()); // the scheduler's poll interval, not a wait
      }
      assertThat(survivor.status(id).chunks().waitingFor()).contains("of dying worker 0");

      // kill -9 mid-batch: the heartbeat stops and the batch in flight never commits.
      dyingAlive.set(false);
      dyingHeartbeat.get(5, TimeUnit.SECONDS);
      dyingSource.crashAtNextCommit();
      long killed = System.nanoTime();
      assertThatThrownBy(() -> dying.backfill().runBatch(id))
          .isInstanceOf(FaultyDataSource.SimulatedCrash.class);
      String cursorAtKill = survivor.store().load(id).orElseThrow().cursorKey();

      BatchOutcome outcome;
      do {
        assertThat(System.nanoTime() - killed)
            .as("nanoseconds until the survivor took over")
            .isLessThan(LEASE.plusSeconds(2).toNanos());
        LockSupport.parkNanos(POLL.toNanos());
        outcome = survivor.backfill().runBatch(id);
      } while (outcome == BatchOutcome.CLAIMED_ELSEWHERE);
      double seconds = (System.nanoTime() - killed) / 1e9;
      log.info(
          "{}: takeover {} s after the kill (lease {}, heartbeat {}, poll {})",
          database(),
          String.format("%.2f", seconds),
          LEASE,
          HEARTBEAT,
          POLL);
      assertThat(outcome).isEqualTo(BatchOutcome.COPIED);
      assertThat(Long.parseLong(survivor.store().load(id).orElseThrow().cursorKey()))
          .as("the survivor continues after the dead owner's checkpoint")
          .isEqualTo(Long.parseLong(cursorAtKill) + 50);

      while (outcome != BatchOutcome.FINISHED) {
        outcome = survivor.backfill().runBatch(id);
        assertThat(outcome).isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
      }
      assertThat(survivor.status(id).phase()).isEqualTo(Phase.BACKFILLED);
      Customers.assertConverged(dataSource, model);
    } finally {
      dyingAlive.set(false);
      survivorAlive.set(false);
      survivorHeartbeat.get(5, TimeUnit.SECONDS);
    }
  }

  /** The scheduler's refresh loop: heartbeats (which renew leases) until told to stop. */
  private static CompletableFuture<Void> heartbeat(ExpandContract ec, AtomicBoolean alive) {
    return CompletableFuture.runAsync(
        () -> {
          while (alive.get()) {
            ec.refresh();
            LockSupport.parkNanos(HEARTBEAT.toNanos());
          }
        });
  }

  private ExpandContract instance(DataSource source, Model model, String instanceId) {
    return ExpandContract.builder(source)
        .migration(model.migration())
        .instanceId(instanceId)
        .claimLease(LEASE)
        .tablePrefix(Customers.STATE_PREFIX)
        .build();
  }
}
