package dev.expandcontract.core;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/** Plain JDBC for test set-up and assertions: what a script or a DBA would run by hand. */
final class TestSql {

  private TestSql() {}

  /** Runs each statement on its own auto-committed connection. */
  static void execute(DataSource dataSource, String... statements) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static int update(DataSource dataSource, String sql, Object... params) {
    try (Connection connection = dataSource.getConnection()) {
      return update(connection, sql, params);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  static int update(Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, params);
      return statement.executeUpdate();
    }
  }

  static long queryLong(DataSource dataSource, String sql, Object... params) {
    List<List<Object>> rows = rows(dataSource, sql, params);
    return ((Number) rows.get(0).get(0)).longValue();
  }

  /** Every row of the query; the first column (a BIGINT key) maps to the remaining columns. */
  static Map<Long, List<Object>> byKey(DataSource dataSource, String sql, Object... params) {
    Map<Long, List<Object>> result = new LinkedHashMap<>();
    for (List<Object> row : rows(dataSource, sql, params)) {
      result.put(((Number) row.get(0)).longValue(), row.subList(1, row.size()));
    }
    return result;
  }

  static List<List<Object>> rows(DataSource dataSource, String sql, Object... params) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      bind(statement, params);
      try (ResultSet rs = statement.executeQuery()) {
        int width = rs.getMetaData().getColumnCount();
        List<List<Object>> rows = new ArrayList<>();
        while (rs.next()) {
          List<Object> row = new ArrayList<>(width);
          for (int c = 1; c <= width; c++) {
            row.add(rs.getObject(c));
          }
          rows.add(row);
        }
        return rows;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  private static void bind(PreparedStatement statement, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      statement.setObject(i + 1, params[i]);
    }
  }
}
