package dev.expandcontract.core.flags;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.ff4j.store.JdbcFeatureStore;
import org.ff4j.store.JdbcQueryBuilder;

/**
 * Creates FF4j's feature tables unless they exist; instances racing here are harmless.
 *
 * <p>FF4j's own {@code createSchema()} is not used: it looks tables up through JDBC metadata
 * without a catalog, which on MySQL/MariaDB searches every database of the server, so the FF4j
 * tables of another application on the same server counted as this one's and were never created.
 * Existence is checked here with a query on the application's own connection instead.
 */
public final class Ff4jSchema {

  private Ff4jSchema() {}

  public static void createIfAbsent(DataSource dataSource, JdbcFeatureStore store) {
    JdbcQueryBuilder sql = store.getQueryBuilder();
    // Features first: the other two tables refer to it.
    create(dataSource, sql.getTableNameFeatures(), sql.sqlCreateTableFeatures());
    create(dataSource, sql.getTableNameCustomProperties(), sql.sqlCreateTableCustomProperties());
    create(dataSource, sql.getTableNameRoles(), sql.sqlCreateTableRoles());
  }

  private static void create(DataSource dataSource, String table, String ddl) {
    if (exists(dataSource, table)) {
      return;
    }
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(ddl);
    } catch (SQLException e) {
      if (!exists(dataSource, table)) { // else another instance created it meanwhile
        throw new IllegalStateException("cannot create the FF4j table " + table, e);
      }
    }
  }

  private static boolean exists(DataSource dataSource, String table) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.executeQuery("SELECT COUNT(*) FROM " + table).close();
      return true;
    } catch (SQLException e) {
      return false;
    }
  }
}
