package dev.expandcontract.core;

import dev.expandcontract.core.ddl.DdlChange;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.NativeDdlExecutor;
import dev.expandcontract.core.ddl.PtOnlineSchemaChangeExecutor;
import dev.expandcontract.core.ddl.ToolConnection;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

class MariaDbOnlineDdlUnderTrafficTest extends AbstractOnlineDdlUnderTrafficTest {

  @Override
  TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  @Override
  String seedSql() {
    return "INSERT INTO customers (id, name, email) SELECT seq, CONCAT('Customer ', seq),"
        + " CONCAT(' User', seq, '@Example.com') FROM seq_1_to_"
        + ROWS;
  }

  @Test
  void nativeAddIndexThenPtOnlineSchemaChangeAddIndex() throws Exception {
    underTraffic(
        "native ADD INDEX (INPLACE, LOCK=NONE)",
        () ->
            run(
                new NativeDdlExecutor(DatabaseType.MYSQL, DdlSettings.DEFAULTS),
                "ALTER TABLE customers ADD INDEX customers_name_native (name)"));
    underTraffic(
        "pt-online-schema-change ADD INDEX",
        () ->
            run(
                new PtOnlineSchemaChangeExecutor(
                    "pt-online-schema-change",
                    DatabaseType.MYSQL,
                    ToolConnection.of(dataSource, "").orElseThrow(),
                    DdlSettings.DEFAULTS,
                    (executor, change, line) -> {}),
                "ALTER TABLE customers ADD INDEX customers_name_pt (name)"));
  }

  private void run(dev.expandcontract.core.ddl.DdlExecutor executor, String sql) {
    try (Connection c = dataSource.getConnection()) {
      executor.execute(c, DdlChange.parse(sql).orElseThrow());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
