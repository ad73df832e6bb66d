package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;

class PostgresThrottleTest extends AbstractThrottleTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  protected String longStatement() {
    return "SELECT pg_sleep(60)";
  }

  @Override
  protected String cancelStatement(long session) {
    return "SELECT pg_cancel_backend(" + session + ")";
  }

  @Override
  protected long sessionId(Connection connection) throws SQLException {
    try (var statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  protected boolean waiting(Connection holder) throws SQLException {
    try (var statement = holder.createStatement();
        var rs = statement.executeQuery("SELECT count(*) FROM pg_locks WHERE NOT granted")) {
      rs.next();
      return rs.getInt(1) >= 1;
    }
  }

  @Override
  protected boolean lockWaitsCountedServerWide() {
    return false;
  }
}
