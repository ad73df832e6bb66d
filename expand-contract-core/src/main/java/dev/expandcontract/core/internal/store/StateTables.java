package dev.expandcontract.core.internal.store;

import dev.expandcontract.core.sql.SqlDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The library's own tables: created if absent, or looked up in the catalog when they must exist.
 */
public final class StateTables {

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final String prefix;

  StateTables(DataSource dataSource, SqlDialect dialect, String prefix) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.prefix = prefix;
  }

  /**
   * True when the migration state table exists, asked of the catalog rather than by a failing query
   * (which drivers log as an error on a first start).
   */
  public boolean stateTableExists() {
    return missingTables(List.of(prefix + "migration")).isEmpty();
  }

  /** The library's tables the database does not have, asked of the catalog. */
  public List<String> missingTables() {
    return missingTables(
        dialect.createStateTables(prefix).stream().map(StateTables::tableOf).toList());
  }

  private List<String> missingTables(List<String> tables) {
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      List<String> missing = new ArrayList<>();
      for (String table : tables) {
        if (!inCatalog(meta, connection, table)) {
          missing.add(table);
        }
      }
      return missing;
    } catch (SQLException e) {
      throw StateStore.failure("look up " + tables, e);
    }
  }

  private static boolean inCatalog(DatabaseMetaData meta, Connection connection, String table)
      throws SQLException {
    for (String name :
        List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT))) {
      try (ResultSet tables =
          meta.getTables(connection.getCatalog(), connection.getSchema(), name, null)) {
        if (tables.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The table a {@code CREATE TABLE IF NOT EXISTS <table> (...)} statement creates. */
  private static String tableOf(String ddl) {
    return ddl.split("\\s+")[5];
  }

  /** Creates the state tables if absent; safe when several instances start at once. */
  public void createTablesIfAbsent() {
    for (String ddl : dialect.createStateTables(prefix)) {
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(ddl);
      } catch (SQLException e) {
        // Two instances racing CREATE TABLE IF NOT EXISTS: the loser may fail; the table exists.
        if (!missingTables(List.of(tableOf(ddl))).isEmpty()) {
          throw new IllegalStateException("cannot create state table: " + e.getMessage(), e);
        }
      }
    }
  }
}
