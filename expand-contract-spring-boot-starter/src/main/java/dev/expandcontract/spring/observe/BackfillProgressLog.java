package dev.expandcontract.spring.observe;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.core.verify.VerificationReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Log lines an operator can follow a migration by. While a backfill runs, at most one line per
 * interval and migration:
 *
 * <pre>customer-email backfill 45.2% (90400/200000 rows), 12300 rows/s, ETA 9s</pre>
 *
 * <p>A progress line also at every pause and resume, and when a backfill or re-sync finishes its
 * duration and mean rate. Phase changes, verification results and what a backfill worker waits for
 * (at most once per interval) are logged at INFO; an unreachable database (at most once per
 * interval), poison rows, pauses, refusals, failed batch attempts and flag overrides at WARN
 * (overrides at most once per interval and flag, with the number left out).
 */
public final class BackfillProgressLog implements ExpandContractListener {

  private static final Logger log = LoggerFactory.getLogger(BackfillProgressLog.class);

  private final Supplier<ExpandContract> expandContract;
  private final long intervalNanos;
  private final Map<String, Long> lastProgress = new ConcurrentHashMap<>();
  private final Map<String, Long> lastOverride = new ConcurrentHashMap<>();
  private final Map<String, Long> lastWaiting = new ConcurrentHashMap<>();
  private final Map<String, Long> lastUnavailable = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> suppressedOverrides = new ConcurrentHashMap<>();
  private final Set<String> resyncing = ConcurrentHashMap.newKeySet();

  /**
   * @param expandContract supplies the instance once built (this listener is handed to its builder,
   *     so it cannot take the instance itself)
   * @param interval the least time between two progress lines of one migration
   */
  public BackfillProgressLog(Supplier<ExpandContract> expandContract, Duration interval) {
    this.expandContract = expandContract;
    this.intervalNanos = interval.toNanos();
  }

  @Override
  public void batchCompleted(BatchCompleted batch) {
    safely(
        () -> {
          if (batch.reverse()) {
            resyncing.add(batch.migrationId());
          }
          if (!log.isInfoEnabled() || !due(lastProgress, batch.migrationId())) {
            return;
          }
          // One status query per interval: exact rows done, where memory lags by a refresh.
          MigrationStatus status = expandContract.get().status(batch.migrationId());
          log.info(progressLine(status, batch.reverse()));
        });
  }

  @Override
  public void batchFailed(String migrationId, int attempt, Throwable error) {
    safely(
        () ->
            log.warn(
                "{} backfill batch attempt {} failed: {}",
                migrationId,
                attempt,
                error == null ? "unknown error" : error.getMessage()));
  }

  @Override
  public void backfillWaiting(String migrationId, String reason) {
    safely(
        () -> {
          if (due(lastWaiting, migrationId)) {
            log.info("{} backfill waits: {}", migrationId, reason);
          }
        });
  }

  @Override
  public void databaseUnavailable(String migrationId, Throwable error) {
    safely(
        () -> {
          if (due(lastUnavailable, migrationId)) {
            log.warn(
                "{} backfill cannot reach the database ({}); not paused, it goes on once the"
                    + " database is back",
                migrationId,
                error.getMessage());
          }
        });
  }

  @Override
  public void poisonRow(String migrationId, String key, String error) {
    safely(
        () ->
            log.warn(
                "{} backfill set row {} aside, its transform fails: {}", migrationId, key, error));
  }

  @Override
  public void backfillPaused(String migrationId, String reason) {
    safely(() -> log.warn("{} backfill paused: {}", migrationId, reason));
  }

  /**
   * Throttled and critical levels, and the way back from them, at INFO/WARN; moving between full
   * speed and yielding to the service follows the traffic, so it is DEBUG.
   */
  @Override
  public void throttleChanged(String migrationId, ThrottleState state) {
    safely(
        () -> {
          switch (state.level()) {
            case CRITICAL ->
                log.warn("{} backfill throttle CRITICAL: {}", migrationId, state.reason());
            case THROTTLED ->
                log.info(
                    "{} backfill throttled ({} ms between batches): {}",
                    migrationId,
                    state.pause().toMillis(),
                    state.reason());
            default ->
                log.debug(
                    "{} backfill throttle {}: {}", migrationId, state.level(), state.reason());
          }
        });
  }

  @Override
  public void phaseChanged(PhaseTransition t) {
    safely(
        () -> {
          String percent = t.to() == Phase.READ_NEW ? " " + t.readPercent() + "%" : "";
          log.info(
              "{} {} -> {}{} by {}: {}",
              t.migrationId(),
              t.from(),
              t.to(),
              percent,
              t.actor(),
              t.reason());
          if (t.to() == Phase.BACKFILLING && t.from() != Phase.BACKFILLING) {
            lastProgress.remove(
                t.migrationId()); // the first batch of a fresh backfill shows at once
          }
          MigrationStatus status = expandContract.get().status(t.migrationId());
          if (t.from() == t.to()
              && (status.phase() == Phase.BACKFILLING || status.resyncingOld())) {
            log.info(progressLine(status, status.resyncingOld())); // a pause or a resume
          } else if (finished(t, status)) {
            log.info(finishedLine(status, t.from() != Phase.BACKFILLING, t.at()));
          }
        });
  }

  @Override
  public void transitionRefused(String migrationId, String action, String reason) {
    safely(() -> log.warn("{} {} refused: {}", migrationId, action, reason));
  }

  @Override
  public void verified(VerificationReport report) {
    safely(
        () -> {
          String line =
              report.migrationId()
                  + " verification: "
                  + report.summary()
                  + " ("
                  + seconds(report.duration())
                  + ")";
          if (report.mismatches() == 0) {
            log.info(line);
          } else {
            log.warn(line);
          }
        });
  }

  @Override
  public void flagOverridden(String migrationId, String flag, String reason) {
    safely(
        () -> {
          String key = migrationId + '/' + flag;
          AtomicLong suppressed = suppressedOverrides.computeIfAbsent(key, k -> new AtomicLong());
          if (!due(lastOverride, key)) {
            suppressed.incrementAndGet();
            return;
          }
          long more = suppressed.getAndSet(0);
          log.warn("{}{}", reason, more > 0 ? " (" + more + " more since the last report)" : "");
        });
  }

  /** The backfill reached its upper key, or a re-sync of old this instance took part in ended. */
  private boolean finished(PhaseTransition t, MigrationStatus s) {
    boolean backfilled = t.from() == Phase.BACKFILLING && t.to() == Phase.BACKFILLED;
    boolean resynced = !s.resyncingOld() && resyncing.remove(t.migrationId());
    return backfilled || resynced;
  }

  static String finishedLine(MigrationStatus s, boolean reverse, Instant endedAt) {
    Instant end = s.backfillFinishedAt() != null ? s.backfillFinishedAt() : endedAt;
    Duration took =
        s.backfillStartedAt() == null
            ? Duration.ZERO
            : Duration.between(s.backfillStartedAt(), end);
    return String.format(
        Locale.ROOT,
        "%s %s finished: %d rows in %s, mean %d rows/s (pauses excluded)",
        s.id(),
        reverse ? "re-sync of old" : "backfill",
        s.rowsDone(),
        seconds(took),
        Math.round(s.rowsPerSecond()));
  }

  static String progressLine(MigrationStatus s, boolean reverse) {
    double percent = s.rowsTotal() <= 0 ? 0 : Math.min(100.0, 100.0 * s.rowsDone() / s.rowsTotal());
    return String.format(
        Locale.ROOT,
        "%s %s %.1f%% (%d/%d rows), %d rows/s, ETA %s" + (s.paused() ? ", paused" : ""),
        s.id(),
        reverse ? "re-sync of old" : "backfill",
        percent,
        s.rowsDone(),
        s.rowsTotal(),
        Math.round(s.rowsPerSecond()),
        eta(s.etaSeconds()));
  }

  static String eta(Long seconds) {
    if (seconds == null) {
      return "unknown";
    }
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
  }

  /** True at most once per interval per key; concurrent callers cannot both win. */
  private boolean due(Map<String, Long> last, String key) {
    long now = System.nanoTime();
    boolean[] due = {false};
    last.compute(
        key,
        (k, previous) -> {
          if (previous == null || now - previous >= intervalNanos) {
            due[0] = true;
            return now;
          }
          return previous;
        });
    return due[0];
  }

  private static void safely(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      // Logging is never worth failing a batch or a request for.
      log.debug("expand-contract progress log failed", e);
    }
  }
}
