package dev.expandcontract.core.ddl;

import dev.expandcontract.core.internal.Backoff;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one DDL statement with a short lock wait, retried with jittered back-off, so it never queues
 * behind a long transaction while every query on the table queues behind it. After the last attempt
 * the error names the sessions that held the table.
 */
final class LockRetries {

  private static final Logger log = LoggerFactory.getLogger(LockRetries.class);

  private final DdlDialect dialect;
  private final DdlSettings settings;
  private final DdlWindow window;
  private final DdlProgress progress;

  LockRetries(DdlDialect dialect, DdlSettings settings, DdlWindow window, DdlProgress progress) {
    this.dialect = dialect;
    this.settings = settings;
    this.window = window;
    this.progress = progress;
  }

  void run(Connection connection, DdlChange change, String sql) throws SQLException {
    String last = null;
    SQLException lastError = null;
    for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
      try {
        if (attempt(connection, sql)) {
          return;
        }
        last = "this instance's own transactions kept the table past " + settings.lockTimeout();
      } catch (SQLException e) {
        if (!dialect.isLockTimeout(e)) {
          throw e;
        }
        lastError = e;
        last = e.getMessage();
      }
      if (attempt == settings.maxAttempts()) {
        break;
      }
      progress.report("native", change, "lock wait " + attempt + " timed out, retrying: " + last);
      log.info(
          "expand-contract: DDL on '{}' attempt {} did not get its lock", change.table(), attempt);
      Backoff.pause(settings.backoff(), attempt, settings.maxBackoff(), "DDL on " + change.table());
    }
    throw new SQLException(
        "DDL on table '"
            + change.table()
            + "' gave up after "
            + settings.maxAttempts()
            + " attempts, each waiting at most "
            + settings.lockTimeout().toMillis()
            + " ms for its lock: "
            + change.firstLine()
            + "; "
            + holders(connection, change.table())
            + "; last error: "
            + last,
        lastError != null ? lastError.getSQLState() : null,
        lastError != null ? lastError.getErrorCode() : 0,
        lastError);
  }

  /** One try; false when the window found no moment for it. */
  private boolean attempt(Connection connection, String sql) throws SQLException {
    boolean rollbackPossible = dialect.transactionalDdl() && !connection.getAutoCommit();
    Savepoint savepoint = rollbackPossible ? connection.setSavepoint() : null;
    try {
      execute(connection, dialect.lockTimeout(settings.lockTimeout()));
      boolean ran = window.runAlone(settings.lockTimeout(), () -> execute(connection, sql));
      execute(connection, dialect.resetLockTimeout());
      if (savepoint != null) {
        connection.releaseSavepoint(savepoint);
      }
      return ran;
    } catch (SQLException e) {
      if (savepoint != null) {
        connection.rollback(savepoint); // also undoes the SET of the lock wait
      } else {
        execute(connection, dialect.resetLockTimeout());
      }
      throw e;
    }
  }

  private String holders(Connection connection, String table) {
    if (table.isEmpty()) {
      return "blocking sessions unknown";
    }
    try {
      List<String> holders = dialect.lockHolders(connection, table);
      return holders.isEmpty()
          ? "the database names no session holding '" + table + "'"
          : "held by " + String.join("; ", holders);
    } catch (SQLException e) {
      return "blocking sessions unknown (" + e.getMessage() + ")";
    }
  }

  static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
