package dev.expandcontract.core.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** MySQL and MariaDB: backtick quoting, {@code <=>}, {@code ON DUPLICATE KEY UPDATE}. */
final class MySqlDialect extends SqlDialect {

  /**
   * MariaDB and MySQL cast to few types (no VARCHAR(n)) and type other bound values by themselves;
   * a DECIMAL gets its scale, as the column would hold the value.
   */
  @Override
  public String typedParameter(ColumnType type) {
    return type != null && type.hasFixedScale() ? "CAST(? AS " + type.declared() + ")" : "?";
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

  @Override
  public boolean supportsSafetyNet() {
    return true;
  }

  @Override
  protected String currentSchema() {
    return "DATABASE()";
  }

  @Override
  protected String changed(String column) {
    // Compared byte for byte: the collation may find 'A' = 'a', and new would keep the old case.
    return "NOT (" + textEquals("OLD." + column, "NEW." + column) + ")";
  }

  /**
   * MySQL has no CREATE OR REPLACE TRIGGER (MariaDB has): drop, then create. A trigger may not
   * write its own table, so a column migration sets NEW's columns BEFORE the row is written.
   */
  @Override
  public List<String> createSafetyNet(SafetyNetSql net) {
    List<String> statements = new ArrayList<>(dropSafetyNet(net));
    List<String> names = safetyNetTriggers(net);
    String table = net.oldTable();
    if (net.table()) {
      statements.add(trigger(names.get(0), "AFTER INSERT", table, net.upsert()));
      statements.add(
          trigger(
              names.get(1),
              "AFTER UPDATE",
              table,
              "BEGIN IF "
                  + changed(net.oldKey())
                  + " THEN "
                  + net.deleteOldKey()
                  + "; END IF; IF "
                  + anyChanged(net)
                  + " THEN "
                  + net.upsert()
                  + "; END IF; END"));
      statements.add(trigger(names.get(2), "AFTER DELETE", table, net.deleteOldKey()));
    } else {
      List<String> assign = new ArrayList<>();
      for (int i = 0; i < net.newColumns().size(); i++) {
        assign.add("NEW." + net.newColumns().get(i) + " = " + net.newValues().get(i));
      }
      String set = "SET " + String.join(", ", assign);
      statements.add(trigger(names.get(0), "BEFORE INSERT", table, set));
      statements.add(
          trigger(
              names.get(1),
              "BEFORE UPDATE",
              table,
              "IF " + anyChanged(net) + " THEN " + set + "; END IF"));
    }
    return statements;
  }

  private String trigger(String name, String event, String table, String body) {
    return "CREATE TRIGGER " + quote(name) + " " + event + " ON " + table + " FOR EACH ROW " + body;
  }

  @Override
  public List<String> dropSafetyNet(SafetyNetSql net) {
    return safetyNetTriggers(net).stream().map(t -> "DROP TRIGGER IF EXISTS " + quote(t)).toList();
  }

  @Override
  public List<String> safetyNetTriggers(SafetyNetSql net) {
    return net.table()
        ? List.of(net.name() + "_ins", net.name() + "_upd", net.name() + "_del")
        : List.of(net.name() + "_ins", net.name() + "_upd");
  }

  @Override
  public String healthQuery() {
    // PROCESSLIST shows other users' sessions only with the PROCESS privilege; the backfill's copy
    // statements start with its mark. Lock waits are Innodb_row_lock_current_waits, counted live
    // but server-wide: INNODB_LOCK_WAITS, which could tell whose locks are waited on, is a cache
    // refreshed only after 100 ms without a reader, so a backfill reading it at every batch would
    // read the same stale rows for as long as it runs.
    return "SELECT (SELECT COUNT(*) FROM information_schema.PROCESSLIST"
        + " WHERE ID <> CONNECTION_ID() AND DB = DATABASE()"
        + " AND COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump')"
        + " AND (INFO IS NULL OR INFO NOT LIKE '/* "
        + BACKFILL_MARK
        + " */%')),"
        + " (SELECT CAST(VARIABLE_VALUE AS UNSIGNED) FROM information_schema.GLOBAL_STATUS"
        + " WHERE VARIABLE_NAME = 'INNODB_ROW_LOCK_CURRENT_WAITS')";
  }

  @Override
  public String lockWaitsMeaning() {
    return "sessions waited on row locks of the server (MariaDB/MySQL count them server-wide)";
  }
}
