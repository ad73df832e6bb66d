package dev.expandcontract.core.drift;

import dev.expandcontract.core.internal.Backoff;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.sql.SafetyNetSql;
import dev.expandcontract.core.sql.SqlDialect;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import javax.sql.DataSource;

/**
 * One migration's safety net: database triggers on the old table that keep new equal to
 * transform(old) for writers that bypass the application (scripts, other services). Installing and
 * removing are idempotent; each DDL statement waits briefly for its table lock and is retried, so
 * it never queues the table's writers behind a long transaction.
 */
public final class SafetyNet {

  /** Whether a net's triggers are in the database. */
  public enum Presence {
    INSTALLED,
    ABSENT,
    /** Some of its triggers only: an install or removal was interrupted; both repair it. */
    PARTIAL
  }

  private static final Duration LOCK_WAIT = Duration.ofSeconds(1);
  private static final int ATTEMPTS = 5;

  private final DataSource dataSource;
  private final MigrationSql sql;
  private final SqlDialect dialect;
  private final String name;

  public SafetyNet(DataSource dataSource, MigrationSql sql) {
    this.dataSource = dataSource;
    this.sql = sql;
    this.dialect = sql.dialect();
    this.name = triggerName(sql.migration().id());
  }

  /**
   * The prefix of the net's trigger names: {@code ecnet_}, the migration id made an identifier, and
   * a checksum of the id, so that ids differing only in punctuation get different triggers.
   */
  static String triggerName(String migrationId) {
    String readable = migrationId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    CRC32 crc = new CRC32();
    crc.update(migrationId.getBytes(StandardCharsets.UTF_8));
    return "ecnet_"
        + readable.substring(0, Math.min(readable.length(), 40))
        + "_"
        + String.format("%08x", crc.getValue());
  }

  public String migrationId() {
    return sql.migration().id();
  }

  /** (Re)creates the triggers from the migration's transforms and the old table's columns now. */
  public void install() {
    run("install", createStatements());
  }

  /** Drops the triggers if any is there; does nothing (no DDL) when none is. */
  public void remove() {
    if (presence() != Presence.ABSENT) {
      run("remove", dialect.dropSafetyNet(names()));
    }
  }

  public Presence presence() {
    SafetyNetSql net = names();
    List<String> triggers = dialect.safetyNetTriggers(net);
    List<Object> params = new ArrayList<>();
    params.add(net.oldTableName());
    params.addAll(triggers);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(dialect.countTriggers(triggers.size()))) {
      for (int i = 0; i < params.size(); i++) {
        count.setObject(i + 1, params.get(i));
      }
      try (ResultSet rs = count.executeQuery()) {
        rs.next();
        long found = rs.getLong(1);
        return found == 0
            ? Presence.ABSENT
            : found == triggers.size() ? Presence.INSTALLED : Presence.PARTIAL;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the safety net triggers of '" + migrationId() + "': " + e.getMessage(), e);
    }
  }

  private List<String> createStatements() {
    try (Connection connection = dataSource.getConnection()) {
      return dialect.createSafetyNet(sql.safetyNet(name, oldTableColumns(connection)));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the columns of " + sql.schema().oldTable() + ": " + e.getMessage(), e);
    }
  }

  /** The net's names and table, for dropping and finding it: needs no catalog read. */
  private SafetyNetSql names() {
    return sql.safetyNet(name, List.of(sql.schema().oldKey()));
  }

  /** Every column of the old table: a transform may read any column of the row. */
  private List<String> oldTableColumns(Connection connection) throws SQLException {
    List<String> columns = new ArrayList<>();
    DatabaseMetaData meta = connection.getMetaData();
    try (ResultSet rs =
        meta.getColumns(
            connection.getCatalog(), connection.getSchema(), sql.schema().oldTable(), null)) {
      while (rs.next()) {
        columns.add(rs.getString("COLUMN_NAME"));
      }
    }
    return columns;
  }

  /**
   * Runs the statements in one transaction (atomic where DDL is transactional), each waiting at
   * most {@link #LOCK_WAIT} for its lock; a lock timeout retries them all after a back-off.
   */
  private void run(String what, List<String> statements) {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = dataSource.getConnection()) {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
          statement.execute(dialect.ddlLockTimeout(LOCK_WAIT));
          for (String ddl : statements) {
            statement.execute(ddl);
          }
          statement.execute(dialect.resetDdlLockTimeout());
          connection.commit();
          return;
        } catch (SQLException e) {
          connection.rollback();
          try (Statement reset = connection.createStatement()) {
            reset.execute(dialect.resetDdlLockTimeout());
          }
          if (!dialect.isLockTimeout(e) || attempt == ATTEMPTS) {
            throw e;
          }
        } finally {
          connection.setAutoCommit(autoCommit);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(
            "cannot "
                + what
                + " the safety net of '"
                + migrationId()
                + "' on "
                + sql.schema().oldTable()
                + " (attempt "
                + attempt
                + "): "
                + e.getMessage(),
            e);
      }
      Backoff.pause(
          Duration.ofMillis(100), attempt, Duration.ofSeconds(2), "safety net " + migrationId());
    }
  }
}
