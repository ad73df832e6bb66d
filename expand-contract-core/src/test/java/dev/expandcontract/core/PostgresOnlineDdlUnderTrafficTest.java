package dev.expandcontract.core;

import dev.expandcontract.core.ddl.DdlChange;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.NativeDdlExecutor;
import dev.expandcontract.core.ddl.PgRepackCompaction;
import dev.expandcontract.core.ddl.ToolConnection;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class PostgresOnlineDdlUnderTrafficTest extends AbstractOnlineDdlUnderTrafficTest {

  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  String seedSql() {
    return "INSERT INTO customers (id, name, email) SELECT g, 'Customer ' || g,"
        + " ' User' || g || '@Example.com' FROM generate_series(1, "
        + ROWS
        + ") g";
  }

  @Test
  void nativeCreateIndexConcurrentlyThenPgRepackAfterABackfill() throws Exception {
    underTraffic(
        "native CREATE INDEX (CONCURRENTLY)",
        () -> {
          try (Connection c = dataSource.getConnection()) {
            new NativeDdlExecutor(DatabaseType.POSTGRESQL, DdlSettings.DEFAULTS)
                .execute(
                    c,
                    DdlChange.parse("CREATE INDEX customers_name ON customers (name)")
                        .orElseThrow());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    // What a backfill leaves behind: every row updated once.
    TestSql.execute(
        dataSource,
        "CREATE EXTENSION IF NOT EXISTS pg_repack",
        "UPDATE customers SET email_normalized = lower(trim(email))");
    AtomicReference<String> sizes = new AtomicReference<>();
    underTraffic(
        "pg_repack after a full-table backfill",
        () ->
            sizes.set(
                new PgRepackCompaction(
                        "pg_repack",
                        dataSource,
                        DatabaseType.POSTGRESQL,
                        ToolConnection.of(dataSource, ""),
                        DdlSettings.DEFAULTS,
                        (executor, change, line) -> {})
                    .compact("customers")
                    .summary()));
    LoggerFactory.getLogger(getClass()).info("ONLINE-DDL pg_repack: {}", sizes.get());
  }
}
