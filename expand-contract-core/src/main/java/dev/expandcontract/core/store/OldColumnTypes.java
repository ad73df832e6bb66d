package dev.expandcontract.core.store;

import dev.expandcontract.core.sql.ColumnType;
import dev.expandcontract.core.sql.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The old columns' types, recorded at start-up while the columns exist. Once the contract dropped
 * them, the release that ran it still needs them: they tell which schema an entity field's values
 * belong to, and type the values its new-only writes compute new ones from.
 */
public final class OldColumnTypes {

  private final DataSource dataSource;
  private final String table;

  OldColumnTypes(DataSource dataSource, String tablePrefix) {
    this.dataSource = dataSource;
    this.table = tablePrefix + "old_column";
  }

  /**
   * Records a migration's old column types unless the same are recorded; another instance recording
   * them at the same moment is not an error.
   */
  public void remember(String id, List<ColumnType> types) {
    if (types.equals(recalled(id))) {
      return;
    }
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Jdbc.update(connection, "DELETE FROM " + table + " WHERE migration_id = ?", id);
        for (int i = 0; i < types.size(); i++) {
          ColumnType type = types.get(i);
          Jdbc.update(
              connection,
              "INSERT INTO "
                  + table
                  + " (migration_id, column_no, jdbc_type, type_name, type_size, type_scale)"
                  + " VALUES (?, ?, ?, ?, ?, ?)",
              id,
              i,
              type.jdbcType(),
              type.typeName(),
              type.size(),
              type.scale());
        }
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        if (!Jdbc.isIntegrityViolation(e)) {
          throw e;
        }
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "expand-contract: cannot record the old column types of " + id + ": " + e.getMessage(),
          e);
    }
  }

  /** The recorded types in mapping order; empty when none were recorded. */
  public List<ColumnType> recalled(String id) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT jdbc_type, type_name, type_size, type_scale FROM "
              + table
              + " WHERE migration_id = ? ORDER BY column_no",
          rs ->
              new ColumnType(
                  rs.getInt(1),
                  rs.getString(2),
                  rs.getInt(3),
                  rs.getObject(4) == null ? null : rs.getInt(4)),
          id);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "expand-contract: cannot read the old column types of " + id + ": " + e.getMessage(), e);
    }
  }
}
