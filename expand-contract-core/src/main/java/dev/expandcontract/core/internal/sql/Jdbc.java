package dev.expandcontract.core.internal.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The few JDBC idioms the core repeats: bind, run, map, and run in a transaction. */
public final class Jdbc {

  private static final int MYSQL_DUPLICATE_KEY = 1062;

  private Jdbc() {}

  /** Maps the current row of a result set. */
  @FunctionalInterface
  public interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Work inside a transaction. */
  @FunctionalInterface
  public interface TransactionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  public static int update(Connection connection, String sql, Object... params)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params)) {
      return statement.executeUpdate();
    }
  }

  public static <T> List<T> query(
      Connection connection, String sql, RowMapper<T> mapper, Object... params)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql, params);
        ResultSet rs = statement.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    }
  }

  public static PreparedStatement prepare(Connection connection, String sql, Object... params)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    try {
      for (int i = 0; i < params.length; i++) {
        if (params[i] == null) {
          statement.setNull(i + 1, Types.NULL);
        } else {
          statement.setObject(i + 1, params[i]);
        }
      }
      return statement;
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
  }

  /**
   * Runs work in its own READ COMMITTED transaction: committed on success, else rolled back.
   *
   * <p>The isolation level is set (and restored) only when the connection is not at READ COMMITTED
   * already: on PostgreSQL, whose default it is, each set is a round trip to the server that would
   * otherwise be paid twice per backfill batch for nothing.
   */
  public static <T> T inTransaction(DataSource dataSource, TransactionWork<T> work)
      throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      int isolation = connection.getTransactionIsolation();
      boolean changeIsolation = isolation != Connection.TRANSACTION_READ_COMMITTED;
      boolean autoCommit = connection.getAutoCommit();
      if (changeIsolation) {
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (SQLException | RuntimeException | Error e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
        if (changeIsolation) {
          connection.setTransactionIsolation(isolation);
        }
      }
    }
  }

  /** Reads a nullable BIGINT column. */
  public static Long nullableLong(ResultSet rs, String column) throws SQLException {
    long value = rs.getLong(column);
    return rs.wasNull() ? null : value;
  }

  /**
   * True when a statement failed on a unique key another writer inserted at the same moment:
   * SQLSTATE 23505 (PostgreSQL, H2) or MariaDB/MySQL's error 1062; other integrity violations (NOT
   * NULL, foreign keys, checks) are real errors.
   */
  public static boolean isDuplicateKey(Throwable error) {
    for (Throwable cause = error; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql
          && ("23505".equals(sql.getSQLState()) || sql.getErrorCode() == MYSQL_DUPLICATE_KEY)) {
        return true;
      }
    }
    return false;
  }
}
