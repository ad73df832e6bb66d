package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.SqlDialect;
import java.sql.SQLException;

/** H2: statements run as written; DDL commits, so a failed attempt has nothing to roll back. */
final class H2DdlDialect extends DdlDialect {

  H2DdlDialect(SqlDialect sql) {
    super(sql);
  }

  @Override
  boolean transactionalDdl() {
    return false;
  }

  @Override
  boolean isLockTimeout(SQLException e) {
    // 50200 LOCK_TIMEOUT_1, 40001 DEADLOCK_1
    return e.getErrorCode() == 50200 || e.getErrorCode() == 40001;
  }
}
