package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.sql.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The vendor SQL of running DDL: lock waits, online forms, who holds a table, how big it is. One
 * subclass per database overrides what differs.
 */
abstract class DdlDialect {

  private final SqlDialect sql;

  DdlDialect(SqlDialect sql) {
    this.sql = sql;
  }

  static DdlDialect of(DatabaseType type) {
    return switch (type) {
      case POSTGRESQL -> new PostgresDdlDialect(type.dialect());
      case MYSQL -> new MySqlDdlDialect(type.dialect());
      case H2 -> new H2DdlDialect(type.dialect());
    };
  }

  String lockTimeout(Duration timeout) {
    return sql.ddlLockTimeout(timeout);
  }

  String resetLockTimeout() {
    return sql.resetDdlLockTimeout();
  }

  /**
   * True when DDL takes part in the transaction, so a failed attempt can roll back to a savepoint.
   */
  abstract boolean transactionalDdl();

  /** True when the statement failed only because it did not get its lock in time. */
  abstract boolean isLockTimeout(SQLException e);

  /** True when the database refused the requested algorithm or lock level for this change. */
  boolean isUnsupportedOnline(SQLException e) {
    return false;
  }

  /** The steps that run the change online; each step lists alternatives, best first. */
  List<DdlStep> onlineSteps(DdlChange change, boolean inTransaction, boolean copyAllowed) {
    return List.of(DdlStep.guarded(change.statement()));
  }

  /** Who holds locks on the table, one entry per session; empty when the database cannot tell. */
  List<String> lockHolders(Connection connection, String table) throws SQLException {
    return List.of();
  }

  /** Bytes the table takes with its indexes and TOAST; -1 when unknown. */
  long tableBytes(Connection connection, String table) throws SQLException {
    return -1;
  }

  /** True when the pg_repack extension is installed in the current database. */
  boolean hasPgRepack(Connection connection) throws SQLException {
    return false;
  }

  static List<String> rows(Connection connection, String query, Object... params)
      throws SQLException {
    List<String> rows = new ArrayList<>();
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          rows.add(rs.getString(1));
        }
      }
    }
    return rows;
  }

  /**
   * One step of an online change.
   *
   * @param alternatives forms of the step, tried in order while the database refuses the algorithm
   * @param guarded whether the step waits for its lock only briefly and is retried; a step whose
   *     wait blocks nobody (CREATE INDEX CONCURRENTLY) may wait as long as it needs
   */
  record DdlStep(List<String> alternatives, boolean guarded) {
    static DdlStep guarded(String... alternatives) {
      return new DdlStep(List.of(alternatives), true);
    }
  }
}
