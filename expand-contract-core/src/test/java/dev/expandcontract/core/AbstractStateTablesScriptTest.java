package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14: teams whose application user cannot create tables run the shipped script beforehand and
 * turn creation off; the library then names what is missing instead of failing on DDL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractStateTablesScriptTest {

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("tables_" + database().name().toLowerCase());
    Customers.recreate(dataSource);
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  static List<String> scriptStatements() throws IOException {
    try (InputStream in =
        ExpandContract.class.getClassLoader().getResourceAsStream(StateStore.SCHEMA_SCRIPT)) {
      assertThat(in).as(StateStore.SCHEMA_SCRIPT + " on the classpath").isNotNull();
      String script =
          new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "");
      return Arrays.stream(script.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
  }

  @Test
  void theShippedScriptCreatesExactlyTheTablesTheLibraryCreates() throws IOException {
    for (DatabaseType type : DatabaseType.values()) {
      assertThat(scriptStatements().stream().map(s -> s.replaceAll("\\s+", "")).toList())
          .as("%s against %s", StateStore.SCHEMA_SCRIPT, type)
          .isEqualTo(
              type.dialect().createStateTables("expand_contract_").stream()
                  .map(s -> s.replaceAll("\\s+", ""))
                  .toList());
    }
  }

  @Test
  void withCreationTurnedOffMissingTablesAreNamedAndTheScriptMakesItStart() throws IOException {
    TestSql.execute(dataSource, dropStatements());

    assertThatThrownBy(this::startWithoutCreatingTables)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expand_contract_migration")
        .hasMessageContaining("expand_contract_old_column")
        .hasMessageContaining("creating them is turned off")
        .hasMessageContaining(StateStore.SCHEMA_SCRIPT);

    TestSql.execute(dataSource, scriptStatements().toArray(String[]::new));
    ExpandContract started = startWithoutCreatingTables();

    assertThat(started.state(Customers.EMAIL).phase()).isEqualTo(Phase.EXPANDED);
    TestSql.execute(dataSource, dropStatements());
  }

  private ExpandContract startWithoutCreatingTables() {
    return ExpandContract.builder(dataSource)
        .migration(Customers.emailModel(true, Customers.smallBatches(50)).migration())
        .instanceId("no-ddl")
        .createStateTables(false)
        .build();
  }

  private static String[] dropStatements() {
    return DatabaseType.H2.dialect().createStateTables("expand_contract_").stream()
        .map(ddl -> "DROP TABLE IF EXISTS " + ddl.split("\\s+")[5])
        .toArray(String[]::new);
  }
}
