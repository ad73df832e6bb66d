package dev.expandcontract.spring.schedule;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.StaleStateException;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Drives the shared state and the backfill from a {@link ThreadPoolTaskScheduler}: a refresh (state
 * + heartbeat, which renews this instance's chunk leases) every interval, and per migration and
 * worker a batch loop that reschedules itself — after the pause the engine's throttle decides while
 * there is work, after the poll interval when idle. It starts after the context, so it never blocks
 * start-up, and on shutdown lets the batch in flight commit before it stops.
 */
public final class BackfillScheduler implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(BackfillScheduler.class);
  private final ExpandContract expandContract;
  private final Duration refreshInterval;
  private final Duration pollInterval;
  private final boolean runBatches;
  private ThreadPoolTaskScheduler scheduler;
  private ScheduledFuture<?> refresh;
  private volatile boolean running;

  public BackfillScheduler(
      ExpandContract expandContract,
      Duration refreshInterval,
      Duration pollInterval,
      boolean runBatches) {
    this.expandContract = expandContract;
    this.refreshInterval = refreshInterval;
    this.pollInterval = pollInterval;
    this.runBatches = runBatches;
  }

  @Override
  public void start() {
    scheduler = new ThreadPoolTaskScheduler();
    scheduler.setPoolSize(
        Math.max(2, expandContract.migrations().size() * expandContract.backfillWorkers() + 1));
    scheduler.setThreadNamePrefix("expand-contract-");
    scheduler.setWaitForTasksToCompleteOnShutdown(true);
    scheduler.setAwaitTerminationSeconds(60);
    scheduler.initialize();
    running = true;
    // Before the web server serves: the first heartbeat makes this instance count in the fleet
    // guards before it writes anything. Not started (the database was unreachable a moment ago)
    // it writes nothing migrated, so start-up does not wait for a second connection attempt.
    if (expandContract.started()) {
      refresh();
    }
    refresh = scheduler.scheduleWithFixedDelay(this::refresh, refreshInterval);
    if (runBatches) {
      for (Migration migration : expandContract.migrations()) {
        for (int worker = 0; worker < expandContract.backfillWorkers(); worker++) {
          scheduleBatch(migration, worker, pollInterval);
        }
      }
    }
  }

  private void refresh() {
    try {
      expandContract.refresh();
    } catch (InvalidMigrationException e) {
      log.debug("expand-contract: the migrations are invalid; logged when found", e);
    } catch (RuntimeException e) {
      log.warn("expand-contract: cannot refresh the shared state; keeping the last one", e);
    }
  }

  private void scheduleBatch(Migration migration, int worker, Duration delay) {
    if (running) {
      scheduler.schedule(() -> runBatch(migration, worker), Instant.now().plus(delay));
    }
  }

  private void runBatch(Migration migration, int worker) {
    Duration next = pollInterval;
    try {
      BatchOutcome outcome = expandContract.backfill().runBatch(migration.id(), worker);
      if (outcome.moreWorkNow()) {
        next = expandContract.backfill().pauseBeforeNextBatch(migration.id());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (StaleStateException e) {
      // Not started yet (the database has not answered since start-up): the refresh reports it.
      log.debug("expand-contract: backfill of {} waits: {}", migration.id(), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("expand-contract: backfill of {} failed; retrying in {}", migration.id(), next, e);
    }
    scheduleBatch(migration, worker, next);
  }

  @Override
  public void stop() {
    running = false;
    if (refresh != null) {
      refresh.cancel(false);
    }
    if (scheduler != null) {
      scheduler.shutdown(); // waits for the batch in flight; it commits or rolls back whole
      scheduler.getScheduledExecutor().shutdownNow();
      try {
        scheduler.getScheduledExecutor().awaitTermination(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      expandContract.leave();
    } catch (RuntimeException e) {
      log.debug("expand-contract: could not remove this instance's heartbeat", e);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    // Start before the web server serves and stop after it stopped serving (graceful shutdown
    // included): the heartbeat is withdrawn only once no request can write any more, and before
    // the DataSource goes away with the beans.
    return DEFAULT_PHASE - 4096;
  }
}
