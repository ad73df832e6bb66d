package dev.expandcontract.core.backfill;

import dev.expandcontract.core.backfill.Throttle.Health;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.BackfillTuning;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * How this instance paces each migration's batches: the settings in effect (the migration's own
 * with the operator's {@code tune} overrides), each migration's {@link Throttle}, and the
 * database's health query, probed once.
 */
final class BackfillPacing {

  private final DataSource dataSource;
  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final ExpandContractListener listener;
  private final Map<String, Throttle> throttles = new ConcurrentHashMap<>();
  private final Map<String, Tuned> tuned = new ConcurrentHashMap<>();
  private volatile boolean healthProbed;
  private volatile String healthQuery;
  private volatile String noHealthSignals;

  BackfillPacing(
      DataSource dataSource,
      StateStore store,
      Function<String, MigrationSql> migrations,
      ExpandContractListener listener) {
    this.dataSource = dataSource;
    this.store = store;
    this.migrations = migrations;
    this.listener = listener;
  }

  /** Why the throttle has no signals; null while it has them. */
  String noHealthSignals() {
    return noHealthSignals;
  }

  /** See {@link BackfillEngine#pauseBeforeNextBatch}. */
  Duration pauseBeforeNextBatch(String id) {
    ThrottleState state = throttle(id).state();
    return state.level() == ThrottleState.Level.NONE
        ? settings(id).pauseBetweenBatches()
        : state.pause();
  }

  /** See {@link BackfillEngine#settings}. */
  BackfillSettings settings(String id) {
    Tuned current = tuned.get(id);
    return current != null ? current.settings : migrations.apply(id).migration().backfill();
  }

  /** Re-reads the overrides when the state's version moved (every tune moves it). */
  BackfillSettings settings(MigrationSql sql, MigrationState state) {
    Tuned current = tuned.get(state.id());
    if (current == null || current.version != state.version()) {
      BackfillSettings declared = sql.migration().backfill();
      current =
          new Tuned(
              state.version(),
              BackfillTuning.applyStored(declared, store.tunings().load(state.id())));
      tuned.put(state.id(), current);
    }
    return current.settings;
  }

  Throttle throttle(String id) {
    return throttles.computeIfAbsent(id, key -> new Throttle(store.clock()));
  }

  /** Reads the health on a connection of its own; true while the critical level still holds. */
  boolean stillCritical(MigrationSql sql, Throttle throttle) {
    String query = probeHealthOnce(sql.dialect());
    if (query == null) {
      return false;
    }
    ThrottleState before = throttle.state();
    boolean critical;
    try (Connection connection = dataSource.getConnection()) {
      critical =
          throttle.stillCritical(
              Health.read(connection, query, sql.dialect().lockWaitsMeaning()),
              settings(sql.migration().id()));
    } catch (SQLException e) {
      return false; // the batch finds out what is wrong, and reports it
    }
    if (throttle.state().level() != before.level()) {
      listener.throttleChanged(sql.migration().id(), throttle.state());
    }
    return critical;
  }

  /**
   * Reads the health inside a batch's transaction, with the query {@link #probeHealth} found
   * working; null where there are no signals. A failure other than the connection's turns the
   * signals off, so that the retry of the batch it aborted (PostgreSQL) runs without them.
   */
  Health readHealth(Connection batch, SqlDialect dialect) throws SQLException {
    String query = healthQuery;
    if (query == null) {
      return null;
    }
    try {
      return Health.read(batch, query, dialect.lockWaitsMeaning());
    } catch (SQLException e) {
      if (!dialect.isConnectionFailure(e)) {
        healthQuery = null;
        noHealthSignals =
            "reading the database's health failed ("
                + e.getMessage()
                + "): batches pause pause-between-batches";
      }
      throw e;
    }
  }

  /**
   * Probes the dialect's health query once, on a connection of its own: call it before a batch
   * opens its transaction (a failing statement would abort it on PostgreSQL, and a second
   * connection asked for inside it could wait for a pool the batch exhausted). Returns the query,
   * or null where the database gives no signals or this user may not read them ({@link
   * #noHealthSignals()} says which).
   */
  String probeHealthOnce(SqlDialect dialect) {
    if (!healthProbed) {
      synchronized (this) {
        if (!healthProbed) {
          probeHealth(dialect);
        }
      }
    }
    return healthQuery;
  }

  private void probeHealth(SqlDialect dialect) {
    String query = dialect.healthQuery();
    if (query == null) {
      noHealthSignals = "the database gives no health signals: batches pause pause-between-batches";
      healthProbed = true;
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      Health.read(connection, query, dialect.lockWaitsMeaning());
      healthQuery = query;
      healthProbed = true;
    } catch (SQLException e) {
      if (!dialect.isConnectionFailure(e)) {
        noHealthSignals =
            "cannot read the database's health ("
                + e.getMessage()
                + "): batches pause pause-between-batches";
        healthProbed = true;
      }
    }
  }

  private record Tuned(long version, BackfillSettings settings) {}
}
