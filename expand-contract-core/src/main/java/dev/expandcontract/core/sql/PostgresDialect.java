package dev.expandcontract.core.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL: {@code ON CONFLICT} upserts, transaction-scoped lock timeouts, pg_class stats. */
final class PostgresDialect extends SqlDialect {

  @Override
  public String textEquals(String left, String right) {
    // Deterministic collations compare bytes already; a nondeterministic one (ICU, e.g.
    // case-insensitive) or citext would not: compare as text in the byte-wise "C" collation.
    return nullSafeEquals(inC(left), inC(right));
  }

  private static String inC(String expression) {
    return "CAST((" + expression + ") AS TEXT) COLLATE \"C\"";
  }

  @Override
  public String upsert(String table, String key, List<String> columns, String source) {
    return "INSERT INTO "
        + table
        + " ("
        + columnList(columns)
        + ") "
        + source
        + " ON CONFLICT ("
        + key
        + ") DO UPDATE SET "
        + assignEach(columns, "EXCLUDED.%s");
  }

  /**
   * Without ON CONFLICT's speculative insertion, the most expensive part of the upsert (about 30 %
   * of a range copy measured here). The update and the insert share one snapshot and touch disjoint
   * keys, every one of them locked in old by the source.
   */
  @Override
  public String insertMissingUpdateDiffering(
      String table, String key, List<String> columns, String lockedSource, String differs) {
    return "WITH ec_s ("
        + columnList(columns)
        + ") AS ("
        + lockedSource
        + "), ec_u AS (UPDATE "
        + table
        + " ec_n SET "
        + assignEach(columns, "ec_s.%s")
        + " FROM ec_s WHERE ec_n."
        + key
        + " = ec_s."
        + key
        + " AND "
        + inSourceRange("ec_n." + key, key)
        + " AND "
        + differs
        + " RETURNING 1) INSERT INTO "
        + table
        + " ("
        + columnList(columns)
        + ") SELECT "
        + columnList(columns.stream().map(c -> "ec_s." + c).toList())
        + " FROM ec_s WHERE NOT EXISTS (SELECT 1 FROM "
        + table
        + " ec_x WHERE ec_x."
        + key
        + " = ec_s."
        + key
        + " AND "
        + inSourceRange("ec_x." + key, key)
        + ")";
  }

  /**
   * Bounds the new table's side to the source's keys, so that the planner scans the range of its
   * key index instead of the whole (growing) table at every batch.
   */
  private static String inSourceRange(String newKey, String key) {
    // ORDER BY ... LIMIT 1 rather than min/max: PostgreSQL has no min(uuid).
    return newKey
        + " >= (SELECT "
        + key
        + " FROM ec_s ORDER BY "
        + key
        + " LIMIT 1) AND "
        + newKey
        + " <= (SELECT "
        + key
        + " FROM ec_s ORDER BY "
        + key
        + " DESC LIMIT 1)";
  }

  @Override
  public List<String> lockTimeout(Duration timeout) {
    // SET LOCAL ends with the transaction, so the pooled connection keeps its defaults.
    return List.of("SET LOCAL lock_timeout = '" + timeout.toMillis() + "ms'");
  }

  @Override
  public boolean isLockTimeout(SQLException e) {
    return "55P03".equals(e.getSQLState()); // lock_not_available
  }

  @Override
  public boolean isConnectionFailure(SQLException e) {
    // 57P01..57P03: the session was terminated (pg_terminate_backend), or the server shuts down
    // or is starting.
    return super.isConnectionFailure(e)
        || (e.getSQLState() != null && e.getSQLState().startsWith("57P0"));
  }

  @Override
  public long estimateRows(Connection connection, String quotedTable, String table)
      throws SQLException {
    long estimate =
        queryLong(
            connection,
            "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = to_regclass(?)",
            quotedTable);
    // reltuples is -1 until the table was first analyzed.
    return estimate >= 0 ? estimate : super.estimateRows(connection, quotedTable, table);
  }

  @Override
  public String ddlLockTimeout(Duration timeout) {
    return "SET lock_timeout = '" + timeout.toMillis() + "ms'";
  }

  @Override
  public String resetDdlLockTimeout() {
    return "RESET lock_timeout";
  }

  @Override
  public boolean supportsSafetyNet() {
    return true;
  }

  @Override
  public List<String> createSafetyNet(SafetyNetSql net) {
    String function = net.object(this, "fn");
    String body;
    if (net.table()) {
      // OLD is unset on INSERT and NEW on DELETE: test TG_OP before reading either.
      body =
          "IF TG_OP = 'DELETE' THEN "
              + net.deleteOldKey()
              + "; RETURN NULL; END IF; IF TG_OP = 'UPDATE' THEN IF OLD."
              + net.oldKey()
              + " IS DISTINCT FROM NEW."
              + net.oldKey()
              + " THEN "
              + net.deleteOldKey()
              + "; END IF; END IF; "
              + net.upsert()
              + "; RETURN NULL;";
    } else {
      StringBuilder assign = new StringBuilder();
      for (int i = 0; i < net.newColumns().size(); i++) {
        assign.append("NEW.").append(net.newColumns().get(i));
        assign.append(" := ").append(net.newValues().get(i)).append("; ");
      }
      body = assign + "RETURN NEW;";
    }
    String timing = net.table() ? "AFTER" : "BEFORE";
    String insert = net.table() ? "INSERT OR DELETE" : "INSERT";
    List<String> triggers = safetyNetTriggers(net);
    return List.of(
        serializeSafetyNetDdl(net),
        "CREATE OR REPLACE FUNCTION "
            + function
            + "() RETURNS trigger LANGUAGE plpgsql AS $ec_net$ BEGIN "
            + body
            + " END $ec_net$",
        "CREATE OR REPLACE TRIGGER "
            + quote(triggers.get(0))
            + " "
            + timing
            + " "
            + insert
            + " ON "
            + net.oldTable()
            + " FOR EACH ROW EXECUTE FUNCTION "
            + function
            + "()",
        "CREATE OR REPLACE TRIGGER "
            + quote(triggers.get(1))
            + " "
            + timing
            + " UPDATE ON "
            + net.oldTable()
            + " FOR EACH ROW WHEN ("
            + anyChanged(net)
            + ") EXECUTE FUNCTION "
            + function
            + "()");
  }

  @Override
  public List<String> dropSafetyNet(SafetyNetSql net) {
    List<String> drops = new ArrayList<>(List.of(serializeSafetyNetDdl(net)));
    for (String trigger : safetyNetTriggers(net)) {
      drops.add("DROP TRIGGER IF EXISTS " + quote(trigger) + " ON " + net.oldTable());
    }
    drops.add("DROP FUNCTION IF EXISTS " + net.object(this, "fn") + "()");
    return drops;
  }

  /**
   * The lock CREATE TRIGGER takes anyway, taken first: two instances installing at once queue here
   * instead of failing on each other's CREATE OR REPLACE FUNCTION ("tuple concurrently updated").
   */
  private static String serializeSafetyNetDdl(SafetyNetSql net) {
    return "LOCK TABLE " + net.oldTable() + " IN SHARE ROW EXCLUSIVE MODE";
  }

  @Override
  public List<String> safetyNetTriggers(SafetyNetSql net) {
    return List.of(net.name() + (net.table() ? "_insdel" : "_ins"), net.name() + "_upd");
  }

  @Override
  public String healthQuery() {
    // pg_stat_activity shows the state of other roles' sessions only to pg_read_all_stats. The
    // backfill's own sessions (any worker, any instance) carry its application_name.
    String service = " AND application_name <> '" + BACKFILL_MARK + "'";
    return "SELECT count(*) FILTER (WHERE pid <> pg_backend_pid()"
        + " AND state IN ('active', 'idle in transaction')"
        + service
        + "), count(*) FILTER (WHERE pg_backend_pid() = ANY (pg_blocking_pids(pid))"
        + service
        + ") FROM pg_stat_activity"
        + " WHERE datname = current_database() AND backend_type = 'client backend'";
  }

  @Override
  public List<String> markBackfillSession() {
    // SET LOCAL: the pooled connection gets its own name back at the end of the transaction.
    return List.of("SET LOCAL application_name = '" + BACKFILL_MARK + "'");
  }
}
