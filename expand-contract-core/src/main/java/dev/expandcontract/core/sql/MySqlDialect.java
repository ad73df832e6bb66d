package dev.expandcontract.core.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** MySQL and MariaDB: backtick quoting, {@code <=>}, {@code ON DUPLICATE KEY UPDATE}. */
final class MySqlDialect extends SqlDialect {

  /** MariaDB and MySQL cast to few types (no VARCHAR(n)), and type a bound value by itself. */
  @Override
  public String typedParameter(ColumnType type) {
    return "?";
  }

  @Override
  protected char quoteChar() {
    return '`';
  }

  @Override
  public String nullSafeEquals(String left, String right) {
    return "(" + left + ") <=> (" + right + ")";
  }

  @Override
  public String textEquals(String left, String right) {
    // The default collations (utf8mb4_general_ci, ..._0900_ai_ci) find 'A@B.C ' = 'a@b.c': compare
    // the bytes in one character set, or the copy skips and the verifier passes stale values.
    return nullSafeEquals(utf8Bytes(left), utf8Bytes(right));
  }

  private static String utf8Bytes(String expression) {
    return "CAST(CAST((" + expression + ") AS CHAR CHARACTER SET utf8mb4) AS BINARY)";
  }

  @Override
  public String upsert(String table, String key, List<String> columns, String source) {
    return "INSERT INTO "
        + table
        + " ("
        + columnList(columns)
        + ") "
        + source
        + " ON DUPLICATE KEY UPDATE "
        + assignEach(columns, "VALUES(%s)");
  }

  @Override
  public List<String> lockTimeout(Duration timeout) {
    // InnoDB counts whole seconds; round up so a short timeout never becomes "no wait".
    long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
    return List.of("SET SESSION innodb_lock_wait_timeout = " + seconds);
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return e.getErrorCode() == 1205; // ER_LOCK_WAIT_TIMEOUT
  }

  @Override
  public List<String> resetLockTimeout() {
    return List.of("SET SESSION innodb_lock_wait_timeout = DEFAULT");
  }

  @Override
  public long estimateRows(Connection connection, String quotedTable, String table)
      throws SQLException {
    long estimate =
        queryLong(
            connection,
            "SELECT table_rows FROM information_schema.tables "
                + "WHERE table_schema = DATABASE() AND table_name = ?",
            table);
    return estimate > 0 ? estimate : super.estimateRows(connection, quotedTable, table);
  }

  @Override
  public String ddlLockTimeout(Duration timeout) {
    // While a DDL waits for its metadata lock, any transaction that read the table and now
    // writes it becomes a deadlock victim. So a sub-second timeout means do not wait at all (0:
    // MariaDB's NOWAIT; MySQL raises it to its minimum, 1 s) and the caller retries instead.
    return "SET SESSION lock_wait_timeout = " + timeout.toSeconds();
  }

  @Override
  public String resetDdlLockTimeout() {
    return "SET SESSION lock_wait_timeout = DEFAULT";
  }
}
