package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.spring.ddl.FlywayLint;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The start-up lint stops a migration whose pending scripts would lock a table, naming each. */
class PostgresFlywayLintTest {

  private HikariDataSource dataSource;

  @BeforeEach
  void createTable() throws Exception {
    dataSource = TestDatabase.POSTGRES.create("flyway_lint");
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY, note TEXT, note_v2 TEXT)");
    }
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void findingsStopTheMigrationWhenConfiguredSo() {
    Migration note =
        Migration.column("order-note").table("orders").key("id").map("note").to("note_v2").build();
    Flyway flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/lint")
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .callbacks(new FlywayLint(() -> List.of(note), true))
            .load();
    assertThatThrownBy(flyway::migrate)
        .hasMessageContaining("V1__index_and_drop.sql:2: [pg-create-index-not-concurrently]")
        .hasMessageContaining("V1__index_and_drop.sql:3: [contract-outside-guard]");
    assertThat(flyway.info().pending()).hasSize(1);
  }

  @Test
  void byDefaultFindingsAreWarnings() {
    Flyway flyway =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/lint")
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .callbacks(new FlywayLint(List::of, false))
            .load();
    flyway.migrate();
    assertThat(flyway.info().pending()).isEmpty();
  }
}
