package dev.expandcontract.core.ddl;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The native executor's online forms and the real pg_repack on PostgreSQL. */
class PostgresOnlineDdlTest {

  private HikariDataSource dataSource;
  private final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeEach
  void createTables() throws Exception {
    dataSource = TestDatabase.POSTGRES.create("online_ddl");
    sql(
        "CREATE TABLE customers (id BIGINT PRIMARY KEY)",
        "INSERT INTO customers SELECT g FROM generate_series(1, 100) g",
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, customer_id BIGINT, note TEXT)",
        "INSERT INTO orders SELECT g, 1 + g % 100, 'n' || g FROM generate_series(1, 20000) g");
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void outsideATransactionIndexesAreBuiltConcurrentlyAndConstraintsValidatedAfterwards()
      throws Exception {
    NativeDdlExecutor executor =
        new NativeDdlExecutor(DatabaseType.POSTGRESQL, DdlSettings.DEFAULTS);
    try (Connection c = dataSource.getConnection()) {
      executor.execute(c, change("CREATE INDEX orders_note ON orders (note)"));
      executor.execute(
          c,
          change(
              "ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id)"
                  + " REFERENCES customers (id)"));
      assertThat(
              single(
                  c,
                  "SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'orders_note'::regclass"))
          .isEqualTo("true");
      assertThat(
              single(
                  c,
                  "SELECT convalidated::text FROM pg_constraint WHERE conname = 'orders_customer'"))
          .isEqualTo("true");
    }
    PostgresDdlDialect dialect = (PostgresDdlDialect) DdlDialect.of(DatabaseType.POSTGRESQL);
    assertThat(
            dialect
                .onlineSteps(change("CREATE INDEX i ON orders (note)"), false, false)
                .get(0)
                .alternatives())
        .containsExactly("CREATE INDEX CONCURRENTLY i ON orders (note)");
    assertThat(
            dialect
                .onlineSteps(change("CREATE INDEX i ON orders (note)"), true, false)
                .get(0)
                .alternatives())
        .containsExactly("CREATE INDEX i ON orders (note)");
  }

  @Test
  void pgRepackReclaimsWhatAFullUpdateLeftBehind() throws Exception {
    sql("CREATE EXTENSION pg_repack", "UPDATE orders SET note = note || 'x'");
    PgRepackCompaction repack =
        new PgRepackCompaction(
            "pg_repack",
            dataSource,
            DatabaseType.POSTGRESQL,
            ToolConnection.of(dataSource, ""),
            DdlSettings.DEFAULTS,
            (executor, change, line) -> progress.add(line));
    TableCompaction result = repack.compact("orders");
    assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
    assertThat(progress).anyMatch(line -> line.contains("repacked"));
    try (Connection c = dataSource.getConnection()) {
      assertThat(single(c, "SELECT count(*)::text FROM orders")).isEqualTo("20000");
    }
  }

  private void sql(String... statements) throws Exception {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    }
  }

  private static String single(Connection c, String query) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(query)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static DdlChange change(String sql) {
    return DdlChange.parse(sql).orElseThrow();
  }
}
