package dev.expandcontract.core.sql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** H2, for the demo's embedded default and fast tests: {@code MERGE ... KEY}. */
final class H2Dialect extends SqlDialect {

  @Override
  public String upsert(String table, String key, List<String> columns, String source) {
    return "MERGE INTO " + table + " (" + columnList(columns) + ") KEY (" + key + ") " + source;
  }

  @Override
  public List<String> lockTimeout(Duration timeout) {
    return List.of("SET LOCK_TIMEOUT " + timeout.toMillis());
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return e.getErrorCode() == 50200; // LOCK_TIMEOUT_1
  }

  @Override
  public String ddlLockTimeout(Duration timeout) {
    return "SET LOCK_TIMEOUT " + timeout.toMillis();
  }

  @Override
  public String resetDdlLockTimeout() {
    // H2 has no DEFAULT for it; a new H2 2.x session starts with 2000 ms.
    return "SET LOCK_TIMEOUT 2000";
  }
}
