package dev.expandcontract.core.phase;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PoisonRow;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.core.verify.Verifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The actions that check new against transform(old) and mend it: verify, and repair and
 * retry-poison, which copy single keys old to new again, each in its own transaction.
 */
final class Verification {

  private final DataSource dataSource;
  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final Verifier verifier;
  private final ExpandContractListener listener;
  private final GuardedTransitions transitions;

  Verification(
      DataSource dataSource,
      StateStore store,
      Function<String, MigrationSql> migrations,
      Verifier verifier,
      ExpandContractListener listener,
      GuardedTransitions transitions) {
    this.dataSource = dataSource;
    this.store = store;
    this.migrations = migrations;
    this.verifier = verifier;
    this.listener = listener;
    this.transitions = transitions;
  }

  VerificationReport verify(String id, String actor) {
    MigrationState state = transitions.require(id, MigrationAction.VERIFY);
    transitions.requireGuards(state, MigrationAction.VERIFY);
    VerificationReport report = verifier.verify(migrations.apply(id));
    store.recordVerification(id, report.mismatches(), String.join(", ", report.sampleKeys()));
    listener.verified(report);
    if (state.phase() == Phase.BACKFILLED) {
      if (report.mismatches() > 0) {
        throw transitions.refuse(
            id, MigrationAction.VERIFY, "verification found " + report.summary());
      }
      transitions.apply(
          state, MigrationAction.VERIFY, Phase.VERIFIED, 0, Map.of(), actor, report.summary());
    }
    return report;
  }

  RepairReport repair(String id, String actor) {
    MigrationState state = transitions.require(id, MigrationAction.REPAIR);
    MigrationSql sql = migrations.apply(id);
    List<Object> mismatched = new ArrayList<>();
    verifier.verify(sql, mismatched::add);
    for (Object key : mismatched) {
      try {
        Jdbc.inTransaction(
            dataSource,
            connection -> {
              copyKey(connection, sql, key);
              return null;
            });
      } catch (SQLException e) {
        throw new IllegalStateException(
            "repair of '" + id + "' could not copy key " + key + ": " + e.getMessage(), e);
      }
    }
    VerificationReport after = verifier.verify(sql);
    store.recordVerification(id, after.mismatches(), String.join(", ", after.sampleKeys()));
    RepairReport report = new RepairReport(id, mismatched.size(), after);
    listener.repaired(report);
    listener.verified(after);
    transitions.apply(
        state,
        MigrationAction.REPAIR,
        state.phase(),
        state.readPercent(),
        Map.of(),
        actor,
        report.summary());
    return report;
  }

  List<PoisonRow> retryPoison(String id) {
    transitions.require(id, MigrationAction.RETRY_POISON);
    MigrationSql sql = migrations.apply(id);
    for (PoisonRow row : store.poison().all(id)) {
      Object key = sql.keyType().parse(row.key());
      try {
        Jdbc.inTransaction(
            dataSource,
            connection -> {
              copyKey(connection, sql, key);
              store.poison().remove(connection, id, row.key());
              return null;
            });
      } catch (SQLException e) {
        try (Connection connection = dataSource.getConnection()) {
          store.poison().record(connection, id, row.key(), e.getMessage());
        } catch (SQLException again) {
          throw new IllegalStateException("cannot retry the poison rows of " + id, again);
        }
      }
    }
    return store.poison().all(id);
  }

  /** Copies one key old to new on {@code connection}, waiting for its row lock at most briefly. */
  private static void copyKey(Connection connection, MigrationSql sql, Object key)
      throws SQLException {
    BackfillSettings settings = sql.migration().backfill();
    for (String statement : sql.dialect().lockTimeout(settings.lockTimeout())) {
      Jdbc.update(connection, statement);
    }
    try (PreparedStatement copy = connection.prepareStatement(sql.copyKey())) {
      sql.keyType().bind(copy, 1, key);
      copy.executeUpdate();
    } finally {
      for (String statement : sql.dialect().resetLockTimeout()) {
        Jdbc.update(connection, statement);
      }
    }
  }
}
