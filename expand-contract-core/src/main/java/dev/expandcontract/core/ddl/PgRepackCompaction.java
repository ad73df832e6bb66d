package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Reclaims a PostgreSQL table's dead space online with {@code pg_repack} (Debian package {@code
 * postgresql-15-repack}; {@code CREATE EXTENSION pg_repack} in the database): after a column
 * backfill (every row updated, so the table about doubled) or a contract (a dropped column keeps
 * its space). {@code VACUUM FULL} would do the same holding an exclusive lock throughout.
 */
public final class PgRepackCompaction {

  private final String binary;
  private final DataSource dataSource;
  private final DatabaseType database;
  private final ToolConnection target;
  private final DdlSettings settings;
  private final DdlProgress progress;
  private final DdlDialect dialect;

  public PgRepackCompaction(
      String binary,
      DataSource dataSource,
      DatabaseType database,
      ToolConnection target,
      DdlSettings settings,
      DdlProgress progress) {
    this.binary = binary;
    this.dataSource = dataSource;
    this.database = database;
    this.target = target;
    this.settings = settings;
    this.progress = progress;
    this.dialect = DdlDialect.of(database);
  }

  /**
   * Repacks the table and measures it before and after.
   *
   * @throws DdlRefusedException on another database, or without the extension or the binary
   * @throws DdlFailedException when pg_repack failed; the table is then as before
   */
  public TableCompaction compact(String table) {
    DdlChange change = new DdlChange(table, "pg_repack --table=" + table, Map.of());
    if (database != DatabaseType.POSTGRESQL) {
      throw new DdlRefusedException("pg_repack runs on PostgreSQL only, not " + database, change);
    }
    long before = bytes(table, change);
    long started = System.nanoTime();
    ToolProcess.run(
        "pg_repack",
        command(table),
        environment(),
        change,
        line -> progress.report("pg_repack", change, line));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    TableCompaction result = new TableCompaction(table, before, bytes(table, change), took);
    progress.report("pg_repack", change, result.summary());
    return result;
  }

  List<String> command(String table) {
    return List.of(
        binary,
        "--host=" + target.host(),
        "--port=" + target.port(),
        "--username=" + target.user(),
        "--dbname=" + target.database(),
        "--table=" + table,
        // Waits this long for the swap's lock, then gives up instead of cancelling other sessions.
        "--wait-timeout="
            + Math.max(1, settings.lockTimeout().toSeconds() * settings.maxAttempts()),
        "--no-kill-backend",
        "--echo");
  }

  private Map<String, String> environment() {
    return target.password().isEmpty() ? Map.of() : Map.of("PGPASSWORD", target.password());
  }

  private long bytes(String table, DdlChange change) {
    try (Connection connection = dataSource.getConnection()) {
      if (!dialect.hasPgRepack(connection)) {
        throw new DdlRefusedException(
            "pg_repack is not installed in database '"
                + target.database()
                + "': run CREATE EXTENSION pg_repack there first; nothing was repacked",
            change);
      }
      return dialect.tableBytes(connection, table);
    } catch (SQLException e) {
      throw new DdlFailedException("cannot measure '" + table + "': " + e.getMessage());
    }
  }
}
