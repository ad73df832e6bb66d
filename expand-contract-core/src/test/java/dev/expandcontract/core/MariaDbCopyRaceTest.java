package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

class MariaDbCopyRaceTest extends AbstractCopyRaceTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  /**
   * Read from InnoDB's own status: MariaDB 10.11's information_schema.innodb_trx (and so
   * innodb_lock_waits) left out the waiting batch's transaction when it was started by JDBC.
   */
  @Override
  protected long lockWaits(DataSource dataSource) {
    String database = (String) TestSql.rows(dataSource, "SELECT DATABASE()").get(0).get(0);
    String status = (String) TestSql.rows(dataSource, "SHOW ENGINE INNODB STATUS").get(0).get(2);
    Matcher waits =
        Pattern.compile(
                "FOR THIS LOCK TO BE GRANTED:\\s*\\R[^\\n]*table `"
                    + Pattern.quote(database)
                    + "`\\.")
            .matcher(status);
    return waits.results().count();
  }

  @Override
  protected String sessionsQuery() {
    return "SELECT p.id, t.trx_state, t.trx_isolation_level, p.state, p.info"
        + " FROM information_schema.processlist p LEFT JOIN information_schema.innodb_trx t"
        + " ON p.id = t.trx_mysql_thread_id WHERE p.db = DATABASE()";
  }
}
