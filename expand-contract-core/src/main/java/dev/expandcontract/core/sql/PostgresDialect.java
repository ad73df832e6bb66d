package dev.expandcontract.core.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** PostgreSQL: {@code ON CONFLICT} upserts, transaction-scoped lock timeouts, pg_class stats. */
final class PostgresDialect extends SqlDialect {

  @Override
  public String textEquals(String left, String right) {
    // Deterministic collations compare bytes already; a nondeterministic one (ICU, e.g.
    // case-insensitive) or citext would not: compare as text in the byte-wise "C" collation.
    return nullSafeEquals(inC(left), inC(right));
  }

  private static String inC(String expression) {
    return "CAST((" + expression + ") AS TEXT) COLLATE \"C\"";
  }

  @Override
  public String upsert(String table, String key, List<String> columns, String source) {
    return "INSERT INTO "
        + table
        + " ("
        + columnList(columns)
        + ") "
        + source
        + " ON CONFLICT ("
        + key
        + ") DO UPDATE SET "
        + assignEach(columns, "EXCLUDED.%s");
  }

  @Override
  public List<String> lockTimeout(Duration timeout) {
    // SET LOCAL ends with the transaction, so the pooled connection keeps its defaults.
    return List.of("SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'");
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return "55P03".equals(e.getSQLState()); // lock_not_available
  }

  @Override
  public boolean isConnectionFailure(SQLException e) {
    // 57P01..57P03: the session was terminated (pg_terminate_backend), or the server shuts down
    // or is starting.
    return super.isConnectionFailure(e)
        || (e.getSQLState() != null && e.getSQLState().startsWith("57P0"));
  }

  @Override
  public long estimateRows(Connection connection, String quotedTable, String table)
      throws SQLException {
    long estimate =
        queryLong(
            connection,
            "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = to_regclass(?)",
            quotedTable);
    // reltuples is -1 until the table was first analyzed.
    return estimate >= 0 ? estimate : super.estimateRows(connection, quotedTable, table);
  }

  @Override
  public String ddlLockTimeout(Duration timeout) {
    return "SET lock_timeout = '" + timeout.toMillis() + "ms'";
  }

  @Override
  public String resetDdlLockTimeout() {
    return "RESET lock_timeout";
  }
}
