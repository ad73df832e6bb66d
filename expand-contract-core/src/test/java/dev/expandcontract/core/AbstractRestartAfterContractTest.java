package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, item 1: the release that ran the contract keeps starting. Validation judges each
 * migration against the schema its stored phase says exists: after the contract began, the new
 * schema alone.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractRestartAfterContractTest {

  private static final int ROWS = 60;

  private HikariDataSource dataSource;
  private final MutableClock clock = MutableClock.startingNow();

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("restart_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void freshSchema() {
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "migration",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "transition",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "instance",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "chunk",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "poison");
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 5);
  }

  private static List<Migration> declared() {
    return List.of(
        Customers.emailModel(true, Customers.smallBatches(50)).migration(),
        Customers.addressModel(false, Customers.smallBatches(50)).migration());
  }

  private ExpandContract start() {
    return ExpandContract.builder(dataSource)
        .migrations(declared())
        .instanceId("release-1")
        .clock(clock)
        .soakTime(Duration.ZERO)
        .tablePrefix(Customers.STATE_PREFIX)
        .build();
  }

  @Test
  void theSameReleaseRestartsAfterTheContractDroppedTheOldColumnsAndServesTheNewSchema()
      throws Exception {
    ExpandContract before = start();
    contract(before, Customers.EMAIL, "ALTER TABLE customers DROP COLUMN email");
    contract(
        before,
        Customers.ADDRESS,
        "ALTER TABLE customers DROP COLUMN street",
        "ALTER TABLE customers DROP COLUMN city",
        "ALTER TABLE customers DROP COLUMN zip");

    ExpandContract restarted = start();

    for (String id : List.of(Customers.EMAIL, Customers.ADDRESS)) {
      MigrationState state = restarted.state(id);
      assertThat(state.phase()).isEqualTo(Phase.CONTRACTED);
      assertThat(restarted.router().writeOld(state)).isFalse();
      assertThat(restarted.router().readNew(state, 7L)).isTrue();
    }
    try (Connection connection = dataSource.getConnection()) {
      restarted
          .rows(Customers.EMAIL)
          .write(connection, 7L, List.of(" After@Contract.IO "), ValueForm.OLD, false);
      restarted
          .rows(Customers.ADDRESS)
          .write(connection, 7L, List.of("1 New St", "Newtown", "999"), ValueForm.OLD, false);
      assertThat(restarted.rows(Customers.EMAIL).readNew(connection, List.of(7L)))
          .isEqualTo(Map.of(7L, List.of("after@contract.io")));
      assertThat(restarted.rows(Customers.ADDRESS).readNew(connection, List.of(7L)))
          .isEqualTo(Map.of(7L, List.of("1 New St", "Newtown", "999")));
    }
  }

  @Test
  void aMigrationWhoseStoredPhaseHasTheOldSchemaIsStillCheckedAgainstIt() {
    start();
    // The old column went while the migration is still EXPANDED: this release still writes it.
    TestSql.execute(dataSource, "ALTER TABLE customers DROP COLUMN email");

    assertThatThrownBy(this::start)
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("migration '" + Customers.EMAIL + "'")
        .hasMessageContaining("email");
  }

  private void contract(ExpandContract ec, String id, String... ddl) throws Exception {
    MigrationControl control = ec.control();
    control.startBackfill(id, "test");
    BatchOutcome outcome;
    do {
      outcome = ec.backfill().runBatch(id);
    } while (outcome == BatchOutcome.COPIED);
    assertThat(outcome).isEqualTo(BatchOutcome.FINISHED);
    assertThat(control.verify(id, "test").mismatches()).isZero();
    control.readNew(id, 100, "test");
    control.stopOldWrites(id, "test");
    control.contract(id, "test", () -> TestSql.execute(dataSource, ddl));
    assertThat(ec.store().load(id).orElseThrow().phase()).isEqualTo(Phase.CONTRACTED);
  }
}
