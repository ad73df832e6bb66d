package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;

class MariaDbThrottleTest extends AbstractThrottleTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  @Override
  protected String longStatement() {
    return "SELECT SLEEP(60)";
  }

  @Override
  protected String cancelStatement(long session) {
    return "KILL QUERY " + session;
  }

  @Override
  protected long sessionId(Connection connection) throws SQLException {
    try (var statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT CONNECTION_ID()")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override
  protected boolean waiting(Connection holder) throws SQLException {
    try (var statement = holder.createStatement();
        var rs =
            statement.executeQuery("SELECT COUNT(*) FROM information_schema.INNODB_LOCK_WAITS")) {
      rs.next();
      return rs.getInt(1) >= 1;
    }
  }

  @Override
  protected boolean lockWaitsCountedServerWide() {
    return true;
  }
}
