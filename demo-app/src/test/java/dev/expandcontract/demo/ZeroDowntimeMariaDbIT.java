package dev.expandcontract.demo;

import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The end-to-end zero-downtime proof on MariaDB. */
class ZeroDowntimeMariaDbIT extends AbstractZeroDowntimeIT {

  @Override
  TestDatabase engine() {
    return TestDatabase.MARIADB;
  }

  @Override
  String databaseName() {
    return "zero_downtime_mariadb";
  }

  @Override
  String currentSchemaSql() {
    return "DATABASE()";
  }

  /** InnoDB's latest deadlock and lock waits, from SHOW ENGINE INNODB STATUS. */
  @Override
  String diagnostics(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW ENGINE INNODB STATUS")) {
      if (!rs.next()) {
        return "(no InnoDB status)";
      }
      String status = rs.getString("Status");
      int deadlock = status.indexOf("LATEST DETECTED DEADLOCK");
      int transactions = status.indexOf("\nTRANSACTIONS\n");
      String section =
          deadlock < 0
              ? "(InnoDB recorded no deadlock since the server started: a 1213 'Deadlock found'"
                  + " without one is a metadata-lock deadlock, e.g. a read-then-write transaction"
                  + " against an ALTER TABLE waiting for its exclusive metadata lock)"
              : status.substring(
                  deadlock, transactions > deadlock ? transactions : status.length());
      int end = status.indexOf("\nFILE I/O\n");
      String waits =
          transactions < 0
              ? ""
              : status.substring(transactions, end > transactions ? end : status.length());
      return section
          + "\n"
          + (waits.length() > 20_000 ? waits.substring(0, 20_000) + "..." : waits);
    }
  }
}
