package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;

class MariaDbFaultTest extends AbstractFaultTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
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
  protected void kill(Connection killer, long sessionId) throws SQLException {
    try (var statement = killer.createStatement()) {
      statement.execute("KILL CONNECTION " + sessionId); // a number read from the server
    }
  }
}
