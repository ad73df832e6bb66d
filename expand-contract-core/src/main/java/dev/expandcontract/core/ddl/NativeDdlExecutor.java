package dev.expandcontract.core.ddl;

import dev.expandcontract.core.ddl.DdlDialect.DdlStep;
import dev.expandcontract.core.sql.DatabaseType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The database's own online DDL with a short lock wait and retries. PostgreSQL: outside a
 * transaction {@code CREATE INDEX} becomes {@code CREATE INDEX CONCURRENTLY}, and a foreign key or
 * check constraint is added {@code NOT VALID}, then validated without blocking writes.
 * MySQL/MariaDB: an ALTER runs {@code ALGORITHM=INSTANT}, else {@code INPLACE, LOCK=NONE}; one that
 * can only copy the table is refused unless copying is allowed (by the settings, or {@code
 * copy=allowed} in the script's directive).
 */
public final class NativeDdlExecutor implements DdlExecutor {

  public static final String NAME = "native";

  private final DdlDialect dialect;
  private final DdlSettings settings;
  private final LockRetries guarded;

  public NativeDdlExecutor(
      DatabaseType database, DdlSettings settings, DdlWindow window, DdlProgress progress) {
    this.dialect = DdlDialect.of(database);
    this.settings = settings;
    this.guarded = new LockRetries(dialect, settings, window, progress);
  }

  public NativeDdlExecutor(DatabaseType database, DdlSettings settings) {
    this(database, settings, DdlWindow.IMMEDIATE, DdlProgress.NO_OP);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void execute(Connection pooled, DdlChange change) throws SQLException {
    // MySQL refuses an algorithm with SQLState 0A000, on which pools (HikariCP) evict the
    // connection: try the forms on the driver's connection, the same session.
    Connection connection =
        pooled.isWrapperFor(Connection.class) ? pooled.unwrap(Connection.class) : pooled;
    boolean copyAllowed = settings.copyAllowed() || change.copyAllowed();
    for (DdlStep step : dialect.onlineSteps(change, !connection.getAutoCommit(), copyAllowed)) {
      run(connection, change, step);
    }
  }

  private void run(Connection connection, DdlChange change, DdlStep step) throws SQLException {
    List<String> forms = step.alternatives();
    SQLException refused = null;
    for (String form : forms) {
      try {
        if (step.guarded()) {
          guarded.run(connection, change, form);
        } else {
          LockRetries.execute(connection, form);
        }
        return;
      } catch (SQLException e) {
        if (!dialect.isUnsupportedOnline(e)) {
          throw e;
        }
        refused = e;
      }
    }
    throw new DdlRefusedException(
        change.firstLine()
            + " can run neither ALGORITHM=INSTANT nor INPLACE, LOCK=NONE ("
            + refused.getMessage()
            + "): a copying ALTER blocks writes to '"
            + change.table()
            + "' for the whole copy. Run it with '-- expand-contract: executor=pt-osc' (or gh-ost),"
            + " or allow the copy with 'copy=allowed' in that directive",
        change);
  }
}
