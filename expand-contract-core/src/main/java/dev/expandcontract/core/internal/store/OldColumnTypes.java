package dev.expandcontract.core.internal.store;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.sql.ColumnType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The old columns' names (as the database spells them) and types, recorded at start-up while the
 * columns exist. Once the contract dropped them, the release that ran it still needs them: they
 * tell which schema an entity field's values belong to, and type the values its new-only writes
 * compute new ones from.
 */
public final class OldColumnTypes {

  /** An old column as the database spells it, and its type. */
  public record OldColumn(String name, ColumnType type) {}

  private static final int ATTEMPTS = 5;

  private final DataSource dataSource;
  private final String table;

  OldColumnTypes(DataSource dataSource, String tablePrefix) {
    this.dataSource = dataSource;
    this.table = tablePrefix + "old_column";
  }

  /**
   * Records a migration's old column types unless the same are recorded. Several instances start at
   * once: a first record only inserts (the loser of a race hits the winner's key, which is the same
   * record), and a deadlock between them is retried.
   */
  public void remember(String id, List<OldColumn> columns) {
    for (int attempt = 1; ; attempt++) {
      List<OldColumn> recorded = recalled(id);
      if (columns.equals(recorded)) {
        return;
      }
      try {
        record(id, columns, !recorded.isEmpty());
        return;
      } catch (SQLException e) {
        if (Jdbc.isDuplicateKey(e)) {
          return; // another instance recorded them at the same moment
        }
        if (!isDeadlock(e) || attempt == ATTEMPTS) {
          throw new IllegalStateException(
              "expand-contract: cannot record the old column types of "
                  + id
                  + ": "
                  + e.getMessage(),
              e);
        }
      }
    }
  }

  /**
   * SQLSTATE class 40: a transaction rollback, the class of deadlocks and serialization failures.
   */
  private static boolean isDeadlock(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("40");
  }

  private void record(String id, List<OldColumn> columns, boolean replace) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        if (replace) {
          Jdbc.update(connection, "DELETE FROM " + table + " WHERE migration_id = ?", id);
        }
        for (int i = 0; i < columns.size(); i++) {
          ColumnType type = columns.get(i).type();
          Jdbc.update(
              connection,
              "INSERT INTO "
                  + table
                  + " (migration_id, column_no, column_name, jdbc_type, type_name, type_size,"
                  + " type_scale) VALUES (?, ?, ?, ?, ?, ?, ?)",
              id,
              i,
              columns.get(i).name(),
              type.jdbcType(),
              type.typeName(),
              type.size(),
              type.scale());
        }
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  /** The recorded columns in mapping order; empty when none were recorded. */
  public List<OldColumn> recalled(String id) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT column_name, jdbc_type, type_name, type_size, type_scale FROM "
              + table
              + " WHERE migration_id = ? ORDER BY column_no",
          rs ->
              new OldColumn(
                  rs.getString(1),
                  new ColumnType(
                      rs.getInt(2),
                      rs.getString(3),
                      rs.getInt(4),
                      rs.getObject(5) == null ? null : rs.getInt(5))),
          id);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "expand-contract: cannot read the old column types of " + id + ": " + e.getMessage(), e);
    }
  }
}
