package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;

class PostgresFaultTest extends AbstractFaultTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
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
  protected void kill(Connection killer, long sessionId) throws SQLException {
    try (var statement = killer.prepareStatement("SELECT pg_terminate_backend(?)")) {
      statement.setInt(1, (int) sessionId);
      statement.executeQuery().close();
    }
  }
}
