package dev.expandcontract.core.ddl;

import dev.expandcontract.core.sql.SqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL: transactional DDL, {@code CREATE INDEX CONCURRENTLY} and {@code NOT VALID}
 * constraints validated afterwards, lock holders from {@code pg_locks}.
 */
final class PostgresDdlDialect extends DdlDialect {

  private static final Pattern CREATE_INDEX =
      Pattern.compile("(?is)(CREATE\\s+(?:UNIQUE\\s+)?INDEX)\\s+(?!CONCURRENTLY\\b)(.*)");
  private static final Pattern ADD_CONSTRAINT =
      Pattern.compile(
          "(?is)(ALTER\\s+TABLE\\s+\\S+)\\s+ADD\\s+CONSTRAINT\\s+(\\S+)\\s+(?:FOREIGN\\s+KEY|CHECK)\\b.*");

  PostgresDdlDialect(SqlDialect sql) {
    super(sql);
  }

  @Override
  boolean transactionalDdl() {
    return true;
  }

  @Override
  boolean isLockTimeout(SQLException e) {
    // 55P03 lock_not_available (lock_timeout), 40P01 deadlock_detected
    return "55P03".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
  }

  @Override
  List<DdlStep> onlineSteps(DdlChange change, boolean inTransaction, boolean copyAllowed) {
    String statement = change.statement();
    if (inTransaction) {
      // Both forms gain nothing inside a transaction: it keeps the first lock until commit.
      return super.onlineSteps(change, true, copyAllowed);
    }
    Matcher index = CREATE_INDEX.matcher(statement);
    if (index.matches()) {
      // Waits for older transactions but blocks neither reads nor writes meanwhile.
      return List.of(
          new DdlStep(List.of(index.group(1) + " CONCURRENTLY " + index.group(2)), false));
    }
    Matcher constraint = ADD_CONSTRAINT.matcher(statement);
    if (constraint.matches() && !statement.matches("(?is).*\\bNOT\\s+VALID\\s*")) {
      return List.of(
          DdlStep.guarded(statement + " NOT VALID"),
          DdlStep.guarded(constraint.group(1) + " VALIDATE CONSTRAINT " + constraint.group(2)));
    }
    return super.onlineSteps(change, false, copyAllowed);
  }

  @Override
  List<String> lockHolders(Connection connection, String table) throws SQLException {
    return rows(
        connection,
        "SELECT 'pid ' || a.pid || ' (' || coalesce(a.usename, '?') || ', ' || coalesce(a.state, '?')"
            + " || coalesce(', transaction open ' || round(extract(epoch FROM now() - a.xact_start))"
            + " || ' s', '') || ', last query: ' || left(coalesce(a.query, ''), 200) || ')'"
            + " FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() AND a.pid IN ("
            + "SELECT l.pid FROM pg_locks l WHERE l.granted AND l.relation = to_regclass(?))"
            + " ORDER BY a.xact_start",
        table);
  }

  @Override
  boolean hasPgRepack(Connection connection) throws SQLException {
    return !rows(connection, "SELECT extname FROM pg_extension WHERE extname = 'pg_repack'")
        .isEmpty();
  }

  @Override
  long tableBytes(Connection connection, String table) throws SQLException {
    List<String> size =
        rows(connection, "SELECT pg_total_relation_size(to_regclass(?))::text", table);
    return size.isEmpty() || size.get(0) == null ? -1 : Long.parseLong(size.get(0));
  }
}
