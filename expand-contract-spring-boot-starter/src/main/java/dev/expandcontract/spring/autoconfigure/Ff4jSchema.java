package dev.expandcontract.spring.autoconfigure;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.ff4j.store.JdbcFeatureStore;

/** Creates FF4j's feature tables unless they exist; instances racing here are harmless. */
final class Ff4jSchema {

  private Ff4jSchema() {}

  static void createIfAbsent(DataSource dataSource, JdbcFeatureStore store) {
    String features = store.getQueryBuilder().getTableNameFeatures();
    if (exists(dataSource, features)) {
      return;
    }
    try {
      store.createSchema();
    } catch (RuntimeException e) {
      if (!exists(dataSource, features)) {
        throw new IllegalStateException("cannot create the FF4j feature tables", e);
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
