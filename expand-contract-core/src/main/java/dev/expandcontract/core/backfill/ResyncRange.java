package dev.expandcontract.core.backfill;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.backfill.KeyRange;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The key range of a re-sync of old after a rollback from NEW_ONLY: left open by the rollback and
 * fixed only once the whole fleet writes old again, so that it covers every row an instance still
 * in NEW_ONLY inserted.
 */
final class ResyncRange {

  private final DataSource dataSource;
  private final StateStore store;
  private final ExpandContractListener listener;
  private final Duration instanceTimeout;

  ResyncRange(
      DataSource dataSource,
      StateStore store,
      ExpandContractListener listener,
      Duration instanceTimeout) {
    this.dataSource = dataSource;
    this.store = store;
    this.listener = listener;
    this.instanceTimeout = instanceTimeout;
  }

  /**
   * What a re-sync whose range is not fixed yet waits for: the live instances that have not yet
   * reported that they write old again; null when it waits for none (or is not such a re-sync).
   */
  String waitingFor(MigrationState state) {
    if (!state.resyncOld() || state.backfillStartedAt() != null) {
      return null;
    }
    List<InstanceView> lagging =
        store.instances().laggingInstances(state, instanceTimeout, InstanceView::writesOldApplied);
    return lagging.isEmpty()
        ? null
        : "the re-sync of the old schema starts once every live instance writes it again;"
            + " waiting for "
            + lagging.stream().map(InstanceView::describe).toList();
  }

  /**
   * Fixes the re-sync's upper key once every live instance reports it has seen the rollback and
   * writes old again: from then on every insert reaches old too, and every earlier one is at or
   * below the key read now. False while some instance still lags (it is named to the listener).
   */
  boolean fix(MigrationSql sql, MigrationState state) {
    String waiting = waitingFor(state);
    if (waiting != null) {
      listener.backfillWaiting(state.id(), waiting);
      return false;
    }
    Map<String, Object> changes = new LinkedHashMap<>();
    try (Connection connection = dataSource.getConnection()) {
      Object upper = KeyRange.end(connection, sql, sql.maxOldKey());
      changes.put("upper_key", sql.keyType().format(upper));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot fix the re-sync range of " + state.id() + ": " + e.getMessage(), e);
    }
    changes.put("backfill_started_at", store.clock().millis());
    if (!store.transition(
        state,
        state.phase(),
        state.readPercent(),
        changes,
        "backfill",
        "re-sync of the old schema started up to key "
            + changes.get("upper_key")
            + ": every live instance writes old again")) {
      return false; // another worker fixed it, or the operator acted meanwhile
    }
    store.transitions(state.id(), 1).forEach(listener::phaseChanged);
    return true;
  }
}
