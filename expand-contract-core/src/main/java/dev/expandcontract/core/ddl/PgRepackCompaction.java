package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.DatabaseType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private final Optional<ToolConnection> target;
  private final DdlSettings settings;
  private final DdlProgress progress;
  private final DdlDialect dialect;

  public PgRepackCompaction(
      String binary,
      DataSource dataSource,
      DatabaseType database,
      Optional<ToolConnection> target,
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
      throw new DdlRefusedException(
          "pg_repack serves PostgreSQL only, this database is "
              + database
              + (database == DatabaseType.MYSQL
                  ? " (InnoDB rebuilds a table online with ALTER TABLE "
                      + table
                      + " FORCE, which the native executor runs ALGORITHM=INPLACE, LOCK=NONE)"
                  : ""),
          change);
    }
    ToolConnection to =
        target.orElseThrow(
            () ->
                new DdlRefusedException(
                    "pg_repack needs a JDBC URL naming one host and a database", change));
    long before = bytes(to, table, change);
    long started = System.nanoTime();
    ToolProcess.run(
        "pg_repack",
        command(to, table),
        environment(to),
        change,
        line -> progress.report("pg_repack", change, line));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    TableCompaction result = new TableCompaction(table, before, bytes(to, table, change), took);
    progress.report("pg_repack", change, result.summary());
    return result;
  }

  List<String> command(ToolConnection to, String table) {
    return List.of(
        binary,
        "--host=" + to.host(),
        "--port=" + to.port(),
        "--username=" + to.user(),
        "--dbname=" + to.database(),
        "--table=" + table,
        // Waits this long for the swap's lock, then gives up instead of cancelling other sessions.
        "--wait-timeout="
            + Math.max(1, settings.lockTimeout().toSeconds() * settings.maxAttempts()),
        "--no-kill-backend",
        "--echo");
  }

  private static Map<String, String> environment(ToolConnection to) {
    return to.password().isEmpty() ? Map.of() : Map.of("PGPASSWORD", to.password());
  }

  private long bytes(ToolConnection to, String table, DdlChange change) {
    try (Connection connection = dataSource.getConnection()) {
      if (!dialect.hasPgRepack(connection)) {
        throw new DdlRefusedException(
            "pg_repack is not installed in database '"
                + to.database()
                + "': run CREATE EXTENSION pg_repack there first; nothing was repacked",
            change);
      }
      long bytes = dialect.tableBytes(connection, table);
      if (bytes < 0) {
        throw new DdlRefusedException("table '" + table + "' does not exist", change);
      }
      return bytes;
    } catch (SQLException e) {
      throw new DdlFailedException("cannot measure '" + table + "': " + e.getMessage(), e);
    }
  }
}
