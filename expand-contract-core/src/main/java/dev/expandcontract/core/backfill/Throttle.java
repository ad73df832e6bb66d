package dev.expandcontract.core.backfill;

import dev.expandcontract.core.backfill.ThrottleState.Level;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.ThrottleSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One migration's throttle on this instance: after each batch it reads the database's health and
 * decides the pause before the next batch, whether that batch is cut, or whether batches wait for
 * the critical level to pass. The service counts as active for a second after it was last seen, so
 * that one sample between two of its statements does not end the pause.
 */
final class Throttle {

  static final Duration ACTIVITY_MEMORY = Duration.ofSeconds(1);

  /**
   * The two counts of {@code SqlDialect.healthQuery()}, and what the second means on the database.
   */
  record Health(int activeSessions, int blockedSessions, String blockedMeaning) {

    /** Reads the counts, waiting at most a second: the batch holds its row locks meanwhile. */
    static Health read(Connection connection, String query, String blockedMeaning)
        throws SQLException {
      try (PreparedStatement statement = connection.prepareStatement(query)) {
        statement.setQueryTimeout(1);
        try (ResultSet rs = statement.executeQuery()) {
          rs.next();
          return new Health(rs.getInt(1), rs.getInt(2), blockedMeaning);
        }
      }
    }
  }

  private final Clock clock;
  private volatile ThrottleState state = ThrottleState.NONE;
  private Instant lastActive;
  private Duration lastCommitTime = Duration.ZERO;

  Throttle(Clock clock) {
    this.clock = clock;
  }

  ThrottleState state() {
    return state;
  }

  /** True while batches wait for the critical level to pass. */
  boolean critical() {
    return state.level() == Level.CRITICAL;
  }

  /**
   * Decides from the health read at the end of a batch, before its checkpoint (null where the
   * database gives no signals), and the previous batch's checkpoint and commit time.
   */
  synchronized ThrottleState afterCopy(Health health, BackfillSettings settings, String noSignals) {
    Instant now = clock.instant();
    if (health != null && health.activeSessions() > 0) {
      lastActive = now;
    }
    boolean activeRecently = lastActive != null && now.isBefore(lastActive.plus(ACTIVITY_MEMORY));
    return enter(decide(health, lastCommitTime, settings, activeRecently, noSignals), now);
  }

  /** The time a batch's checkpoint and commit took, for the decision after the next copy. */
  synchronized void committed(Duration commitTime) {
    lastCommitTime = commitTime;
  }

  /** How much the next batch may grow at this level. */
  static double maxGrowth(ThrottleState state) {
    return state.level() == Level.FULL_SPEED ? BatchSizer.FULL_SPEED_GROWTH : BatchSizer.MAX_GROWTH;
  }

  /** The batch duration the next batch aims for at this level. */
  static Duration target(ThrottleState state, BackfillSettings settings) {
    return state.level() == Level.FULL_SPEED
        ? settings.throttle().fullSpeedBatchTime()
        : settings.targetBatchTime();
  }

  /** Re-reads the critical level before a batch; returns true while it still holds. */
  synchronized boolean stillCritical(Health health, BackfillSettings settings) {
    ThrottleState decided =
        decide(health, Duration.ZERO, settings, true, "the database gives no health signals");
    if (decided.level() == Level.CRITICAL) {
      enter(decided, clock.instant());
      return true;
    }
    enter(
        new ThrottleState(
            Level.YIELDING,
            "below the critical level again ("
                + health.activeSessions()
                + " other sessions active): batches resume",
            settings.pauseBetweenBatches(),
            null),
        clock.instant());
    return false;
  }

  /** True when the decision asks for the next batch to be cut to half its size. */
  static boolean cutsNextBatch(Health health, ThrottleSettings throttle) {
    return health != null
        && health.activeSessions() < throttle.criticalActiveSessions()
        && health.blockedSessions() >= throttle.maxBlockedSessions();
  }

  static ThrottleState decide(
      Health health,
      Duration commitTime,
      BackfillSettings settings,
      boolean activeRecently,
      String noSignals) {
    ThrottleSettings t = settings.throttle();
    Duration pause = settings.pauseBetweenBatches();
    Duration throttled = max(t.throttledPause(), pause);
    if (health == null) {
      return new ThrottleState(Level.YIELDING, noSignals, pause, null);
    }
    if (health.activeSessions() >= t.criticalActiveSessions()) {
      return new ThrottleState(
          Level.CRITICAL,
          health.activeSessions()
              + " other sessions active on the database (critical at "
              + t.criticalActiveSessions()
              + "): no batch until fewer",
          throttled,
          null);
    }
    if (health.blockedSessions() >= t.maxBlockedSessions()) {
      return new ThrottleState(
          Level.THROTTLED,
          health.blockedSessions()
              + " "
              + health.blockedMeaning()
              + " (throttles at "
              + t.maxBlockedSessions()
              + "): the next batch is cut to half",
          pause,
          null);
    }
    if (health.activeSessions() >= t.maxActiveSessions()) {
      return new ThrottleState(
          Level.THROTTLED,
          health.activeSessions()
              + " other sessions active on the database (throttles at "
              + t.maxActiveSessions()
              + ")",
          throttled,
          null);
    }
    if (commitTime.compareTo(t.maxCommitTime()) >= 0) {
      return new ThrottleState(
          Level.THROTTLED,
          "the batch's checkpoint and commit took "
              + commitTime.toMillis()
              + " ms (throttles at "
              + t.maxCommitTime().toMillis()
              + " ms)",
          throttled,
          null);
    }
    if (activeRecently) {
      return new ThrottleState(
          Level.YIELDING,
          "the service is active on the database: batches pause pause-between-batches",
          pause,
          null);
    }
    return new ThrottleState(
        Level.FULL_SPEED,
        "nothing else runs on the database: batches follow each other without a pause",
        Duration.ZERO,
        null);
  }

  private ThrottleState enter(ThrottleState decided, Instant now) {
    ThrottleState previous = state;
    Instant since =
        previous.level() == decided.level() && previous.since() != null ? previous.since() : now;
    state = new ThrottleState(decided.level(), decided.reason(), decided.pause(), since);
    return state;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
