package dev.expandcontract.spring.it;

import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.test.TestDatabase;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The compact action's pg_repack of customers, which the email backfill left twice as big. */
class PostgresPgRepackUnderTrafficTest extends OnlineDdlUnderRepositoryTrafficTest {

  @Autowired MigrationCompaction compaction;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.POSTGRES, "starter_pg_repack_traffic");
  }

  @Override
  String seedSql() {
    return "insert into customers (name, email) select 'c' || g, ' C' || g || '@X.org'"
        + " from generate_series(1, "
        + ROWS
        + ") g";
  }

  @Override
  Runnable prepare() {
    jdbc.execute("create extension if not exists pg_repack");
    backfill(EMAIL);
    return () ->
        LoggerFactory.getLogger(getClass())
            .info(
                "ONLINE-DDL-STARTER pg_repack: {}",
                compaction.compact(EMAIL, "test").result().summary());
  }

  @Override
  String label() {
    return "compact (pg_repack) after the email backfill";
  }
}
