package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.SqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * MySQL and MariaDB: {@code ALGORITHM=INSTANT}, then {@code INPLACE, LOCK=NONE}, a copying ALTER
 * only when allowed; lock holders from {@code METADATA_LOCK_INFO} or the open InnoDB transactions.
 */
final class MySqlDdlDialect extends DdlDialect {

  MySqlDdlDialect(SqlDialect sql) {
    super(sql);
  }

  @Override
  boolean transactionalDdl() {
    return false;
  }

  @Override
  boolean isLockTimeout(SQLException e) {
    // 1205 lock wait timeout (also for metadata locks), 1213 deadlock
    return e.getErrorCode() == 1205 || e.getErrorCode() == 1213;
  }

  @Override
  boolean isUnsupportedOnline(SQLException e) {
    // 1845/1846 ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON), 4092 (MariaDB) not supported with LOCK
    return e.getErrorCode() == 1845 || e.getErrorCode() == 1846 || e.getErrorCode() == 4092;
  }

  @Override
  List<DdlStep> onlineSteps(DdlChange change, boolean inTransaction, boolean copyAllowed) {
    String statement = change.statement();
    String upper = statement.toUpperCase(Locale.ROOT);
    if (upper.contains("ALGORITHM") || upper.contains("LOCK=") || upper.contains("LOCK =")) {
      return super.onlineSteps(change, inTransaction, copyAllowed);
    }
    List<String> forms = new ArrayList<>();
    if (change.isAlterTable()) {
      forms.add(statement + ", ALGORITHM=INSTANT");
      forms.add(statement + ", ALGORITHM=INPLACE, LOCK=NONE");
    } else if (upper.matches("(?s)CREATE\\s+(UNIQUE\\s+)?INDEX\\b.*")) {
      forms.add(statement + " ALGORITHM=INPLACE LOCK=NONE");
    } else {
      return super.onlineSteps(change, inTransaction, copyAllowed);
    }
    if (copyAllowed) {
      forms.add(statement);
    }
    return List.of(new DdlStep(List.copyOf(forms), true));
  }

  @Override
  List<String> lockHolders(Connection connection, String table) throws SQLException {
    try {
      // MariaDB's metadata_lock_info plugin knows the holders of the table's metadata lock.
      return rows(
          connection,
          "SELECT CONCAT('thread ', m.thread_id, ' (', p.user, '@', p.host, ', ', p.command, ' ',"
              + " p.time, ' s, holds ', m.lock_mode, ', query: ', COALESCE(LEFT(p.info, 200), ''),"
              + " ')') FROM information_schema.metadata_lock_info m JOIN"
              + " information_schema.processlist p ON p.id = m.thread_id WHERE m.table_schema ="
              + " DATABASE() AND m.table_name = ? AND m.thread_id <> CONNECTION_ID()",
          table);
    } catch (SQLException noPlugin) {
      // Without it: every open transaction may hold the metadata lock of a table it touched.
      return rows(
          connection,
          "SELECT CONCAT('thread ', t.trx_mysql_thread_id, ' (', p.user, '@', p.host, ','"
              + " ' transaction open ', TIMESTAMPDIFF(SECOND, t.trx_started, NOW()), ' s, ',"
              + " p.command, ', query: ', COALESCE(LEFT(p.info, 200), ''), ')') FROM"
              + " information_schema.innodb_trx t JOIN information_schema.processlist p ON p.id ="
              + " t.trx_mysql_thread_id WHERE t.trx_mysql_thread_id <> CONNECTION_ID() ORDER BY"
              + " t.trx_started");
    }
  }

  @Override
  long tableBytes(Connection connection, String table) throws SQLException {
    List<String> size =
        rows(
            connection,
            "SELECT CAST(data_length + index_length AS CHAR) FROM information_schema.tables"
                + " WHERE table_schema = DATABASE() AND table_name = ?",
            table);
    return size.isEmpty() || size.get(0) == null ? -1 : Long.parseLong(size.get(0));
  }
}
