package dev.expandcontract.core.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * ANSI SQL shared by every database; one subclass per database overrides only what differs. This
 * class and its subclasses are the only places where vendor SQL lives.
 */
public abstract class SqlDialect {

  /**
   * How the backfill's sessions and copy statements are marked (PostgreSQL's {@code
   * application_name}, a leading comment elsewhere), so that the throttle tells them from the
   * service.
   */
  public static final String BACKFILL_MARK = "expand-contract backfill";

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

  /** True when the text can be used as a (quoted) identifier. */
  public static boolean isValidIdentifier(String identifier) {
    return identifier != null && IDENTIFIER.matcher(identifier).matches();
  }

  /** Validates and quotes an identifier from configuration. */
  public String quote(String identifier) {
    if (!isValidIdentifier(identifier)) {
      throw new IllegalArgumentException(
          "'" + identifier + "' is not a valid SQL identifier (letters, digits, _; max 63)");
    }
    return quoteChar() + identifier + quoteChar();
  }

  protected char quoteChar() {
    return '"';
  }

  /** A predicate true when both expressions are equal or both NULL. */
  public String nullSafeEquals(String left, String right) {
    return "(" + left + ") IS NOT DISTINCT FROM (" + right + ")";
  }

  /**
   * Like {@link #nullSafeEquals}, for a text column: true only for the same characters, whatever
   * the column's collation says about case and trailing spaces.
   */
  public String textEquals(String left, String right) {
    return nullSafeEquals(left, right);
  }

  /**
   * Like {@link #textEquals}, for a fixed-width CHAR column: trailing spaces are padding there, on
   * every database, so they are not compared; case and accents are.
   */
  public String paddedTextEquals(String left, String right) {
    return textEquals("RTRIM(" + left + ")", "RTRIM(" + right + ")");
  }

  /**
   * A bound parameter with the column type's declared type, for an expression evaluated on a value
   * instead of a column; a plain parameter when the type is unknown.
   */
  public String typedParameter(ColumnType type) {
    return type == null ? "?" : "CAST(? AS " + type.castType() + ")";
  }

  /** Appended to a SELECT to lock the rows it reads until the transaction ends. */
  public String lockRows() {
    return " FOR UPDATE";
  }

  /**
   * Appended to a SELECT to lock the rows it reads, passing over rows another transaction holds:
   * backfill workers claiming chunks never queue behind each other.
   */
  public String lockRowsSkipLocked() {
    return " FOR UPDATE SKIP LOCKED";
  }

  /**
   * An insert-or-update of {@code columns} (the key first, all quoted) into {@code table} from a
   * {@code VALUES (...)} or {@code SELECT ...} source.
   */
  public abstract String upsert(String table, String key, List<String> columns, String source);

  /**
   * A cheaper copy of a table migration's rows where the dialect has one, else null: new rows
   * inserted by an anti-join and differing ones updated, from {@code lockedSource} (a SELECT that
   * locks the old rows, its columns named as {@code columns}). Unlike {@link #upsert} it fails on a
   * key that a concurrent writer inserted after the statement's snapshot, so the caller redoes the
   * range with the upsert then.
   *
   * @param differs a predicate over the new row {@code ec_n} and the source row {@code ec_s}
   */
  public String insertMissingUpdateDiffering(
      String table, String key, List<String> columns, String lockedSource, String differs) {
    return null;
  }

  /** Statements that bound lock waits for the rest of the current transaction. */
  public abstract List<String> lockTimeout(Duration timeout);

  /** A session setting that bounds how long DDL waits for its lock (it is retried after). */
  public abstract String ddlLockTimeout(Duration timeout);

  /**
   * Undoes {@link #ddlLockTimeout} before a pooled connection goes back to the application, whose
   * statements would otherwise inherit the short DDL lock wait.
   */
  public abstract String resetDdlLockTimeout();

  /**
   * True when the statement failed on the data of a row, not on the database: SQL state class 22
   * (data exception: a cast that cannot parse, a value too long) or 23 (integrity constraint).
   */
  public boolean isRowError(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /** True when a statement gave up waiting for a row lock (after {@link #lockTimeout}). */
  public abstract boolean isLockTimeout(SQLException e);

  /**
   * True when the connection, not the statement, failed: the database is unreachable, restarting,
   * or ended the session. SQL state class 08 (connection exception) everywhere.
   */
  public boolean isConnectionFailure(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException
          || (t instanceof SQLException sql
              && sql.getSQLState() != null
              && sql.getSQLState().startsWith("08"))) {
        return true;
      }
    }
    return false;
  }

  /** Statements that undo {@link #lockTimeout} on a pooled connection; none by default. */
  public List<String> resetLockTimeout() {
    return List.of();
  }

  /**
   * The throttle's signals, one row of two counts: other sessions of this database running a
   * statement (PostgreSQL: or inside a transaction), and sessions waiting on a row lock
   * (PostgreSQL: on one this session holds; MariaDB/MySQL: any, as InnoDB counts them live). Run
   * inside a batch's transaction after its copy, when it holds the most row locks; null where the
   * database exposes neither.
   */
  public String healthQuery() {
    return null;
  }

  /** What the health query's second count means on this database, for the throttle's reason. */
  public String lockWaitsMeaning() {
    return "sessions waited on the batch's row locks";
  }

  /**
   * Statements at the start of a batch's transaction that mark its session as the backfill's, so
   * that the health query of another worker does not count it as the service; none by default.
   */
  public List<String> markBackfillSession() {
    return List.of();
  }

  /** A cheap estimate of a table's row count, from statistics where the database keeps them. */
  public long estimateRows(Connection connection, String quotedTable, String table)
      throws SQLException {
    return queryLong(connection, "SELECT COUNT(*) FROM " + quotedTable);
  }

  // ---- safety net (core.drift.SafetyNet): triggers for writers that bypass the application ----

  /** True when {@link #createSafetyNet} can install the net's triggers on this database. */
  public boolean supportsSafetyNet() {
    return false;
  }

  /**
   * Statements that (re)create the safety net's triggers on the old table, replacing any of them
   * already there: column migrations set the new columns before the row is written, table
   * migrations upsert or delete the new row after it, in the writer's transaction.
   */
  public List<String> createSafetyNet(SafetyNetSql net) {
    throw noSafetyNet();
  }

  /** Statements that drop every object {@link #createSafetyNet} makes, where they exist. */
  public List<String> dropSafetyNet(SafetyNetSql net) {
    throw noSafetyNet();
  }

  /** The names (unquoted) of the triggers {@link #createSafetyNet} makes. */
  public List<String> safetyNetTriggers(SafetyNetSql net) {
    throw noSafetyNet();
  }

  /**
   * Counts the triggers of a table, among {@code names} of them, in the current schema: parameters
   * the table as the catalog spells it, then the names.
   */
  public String countTriggers(int names) {
    return "SELECT COUNT(DISTINCT trigger_name) FROM information_schema.triggers"
        + " WHERE trigger_schema = "
        + currentSchema()
        + " AND event_object_table = ? AND trigger_name IN ("
        + String.join(", ", Collections.nCopies(names, "?"))
        + ")";
  }

  /** The schema unqualified names resolve in. */
  protected String currentSchema() {
    return "CURRENT_SCHEMA";
  }

  /** In a row trigger: true when the column's value differs between {@code OLD} and {@code NEW}. */
  protected String changed(String column) {
    return "NOT (" + nullSafeEquals("OLD." + column, "NEW." + column) + ")";
  }

  /** True when any of the watched columns changed (see {@link SafetyNetSql#watched}). */
  protected String anyChanged(SafetyNetSql net) {
    return net.watched().stream().map(this::changed).collect(Collectors.joining(" OR "));
  }

  private UnsupportedOperationException noSafetyNet() {
    return new UnsupportedOperationException(
        "the safety net needs database triggers: PostgreSQL or MySQL/MariaDB");
  }

  /** Schema that the library's own state tables use. */
  public List<String> createStateTables(String prefix) {
    return List.of(
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "migration ("
            + "migration_id VARCHAR(100) NOT NULL PRIMARY KEY, "
            + "phase VARCHAR(20) NOT NULL, "
            + "read_percent INT NOT NULL, "
            + "version BIGINT NOT NULL, "
            + "updated_at BIGINT NOT NULL, "
            + "paused INT NOT NULL, "
            + "resync_old INT NOT NULL, "
            + "cursor_key VARCHAR(500), "
            + "upper_key VARCHAR(500), "
            + "rows_done BIGINT NOT NULL, "
            + "rows_total BIGINT NOT NULL, "
            + "batch_size INT NOT NULL, "
            + "backfill_started_at BIGINT, "
            + "backfill_finished_at BIGINT, "
            + "last_error VARCHAR(2000), "
            + "claim_owner VARCHAR(200), "
            + "claim_until BIGINT, "
            + "read_new_full_at BIGINT, "
            + "verify_mismatches BIGINT, "
            + "verify_sample VARCHAR(2000), "
            + "verified_at BIGINT)",
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "transition ("
            + "migration_id VARCHAR(100) NOT NULL, "
            + "version BIGINT NOT NULL, "
            + "from_phase VARCHAR(20) NOT NULL, "
            + "to_phase VARCHAR(20) NOT NULL, "
            + "read_percent INT NOT NULL, "
            + "at_millis BIGINT NOT NULL, "
            + "actor VARCHAR(200) NOT NULL, "
            + "reason VARCHAR(2000) NOT NULL, "
            + "PRIMARY KEY (migration_id, version))",
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "instance ("
            + "instance_id VARCHAR(200) NOT NULL, "
            + "migration_id VARCHAR(100) NOT NULL, "
            + "phase_seen VARCHAR(20) NOT NULL, "
            + "version_seen BIGINT NOT NULL, "
            + "read_percent_applied INT NOT NULL, "
            + "writes_old_applied INT NOT NULL, "
            + "heartbeat_at BIGINT NOT NULL, "
            + "PRIMARY KEY (instance_id, migration_id))",
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "chunk ("
            + "migration_id VARCHAR(100) NOT NULL, "
            + "chunk_no INT NOT NULL, "
            + "lower_key VARCHAR(500), "
            + "upper_key VARCHAR(500), "
            + "cursor_key VARCHAR(500), "
            + "done INT NOT NULL, "
            + "rows_done BIGINT NOT NULL, "
            + "owner_id VARCHAR(200), "
            + "worker INT, "
            + "lease_until BIGINT, "
            + "PRIMARY KEY (migration_id, chunk_no))",
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "poison ("
            + "migration_id VARCHAR(100) NOT NULL, "
            + "row_key VARCHAR(500) NOT NULL, "
            + "error VARCHAR(2000) NOT NULL, "
            + "at_millis BIGINT NOT NULL, "
            + "PRIMARY KEY (migration_id, row_key))",
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "old_column ("
            + "migration_id VARCHAR(100) NOT NULL, "
            + "column_no INT NOT NULL, "
            + "column_name VARCHAR(100) NOT NULL, "
            + "jdbc_type INT NOT NULL, "
            + "type_name VARCHAR(100) NOT NULL, "
            + "type_size INT NOT NULL, "
            + "type_scale INT, "
            + "PRIMARY KEY (migration_id, column_no))",
        "CREATE TABLE IF NOT EXISTS "
            + prefix
            + "tuning ("
            + "migration_id VARCHAR(100) NOT NULL, "
            + "setting VARCHAR(64) NOT NULL, "
            + "setting_value VARCHAR(100) NOT NULL, "
            + "PRIMARY KEY (migration_id, setting))");
  }

  static String columnList(List<String> columns) {
    return String.join(", ", columns);
  }

  static String assignEach(List<String> columns, String format) {
    return columns.stream()
        .skip(1)
        .map(c -> c + " = " + format.formatted(c))
        .collect(Collectors.joining(", "));
  }

  static long queryLong(Connection connection, String sql, Object... params) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        statement.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }
}
