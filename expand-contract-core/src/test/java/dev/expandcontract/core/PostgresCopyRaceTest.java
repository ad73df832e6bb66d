package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import javax.sql.DataSource;

class PostgresCopyRaceTest extends AbstractCopyRaceTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  protected long lockWaits(DataSource dataSource) {
    return TestSql.queryLong(
        dataSource,
        "SELECT COUNT(*) FROM pg_stat_activity"
            + " WHERE datname = current_database() AND wait_event_type = 'Lock'");
  }

  @Override
  protected String sessionsQuery() {
    return "SELECT pid, state, wait_event_type, wait_event, query FROM pg_stat_activity"
        + " WHERE datname = current_database()";
  }
}
