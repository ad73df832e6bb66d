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
}
