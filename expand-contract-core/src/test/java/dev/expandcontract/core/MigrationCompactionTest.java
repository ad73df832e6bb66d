package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.ddl.DdlProgress;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.PgRepackCompaction;
import dev.expandcontract.core.ddl.ToolConnection;
import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.core.phase.MigrationCompaction.Compacted;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * The compact action: pg_repack once the phase left dead space (BACKFILLED..NEW_ONLY, CONTRACTED),
 * refused in the other phases and on databases pg_repack does not serve, each time saying why.
 */
class MigrationCompactionTest {

  private static final String EMAIL = Customers.EMAIL;

  @Test
  void onPostgresCompactsAfterTheBackfillAndAfterTheContractOnly() throws Exception {
    try (HikariDataSource dataSource = TestDatabase.POSTGRES.create("compaction")) {
      Customers.recreate(dataSource);
      Customers.seed(dataSource, 5_000, 1);
      TestSql.execute(dataSource, "CREATE EXTENSION IF NOT EXISTS pg_repack");
      ExpandContract ec = instance(dataSource);
      MigrationCompaction compaction = compaction(ec, dataSource, DatabaseType.POSTGRESQL);
      MigrationControl control = ec.control();

      assertRefused(compaction, "EXPANDED");
      control.startBackfill(EMAIL, "test");
      assertRefused(compaction, "BACKFILLED");
      BatchOutcome outcome;
      do {
        outcome = ec.backfill().runBatch(EMAIL);
      } while (outcome == BatchOutcome.COPIED);

      Compacted afterBackfill = compaction.compact(EMAIL, "test");
      assertThat(afterBackfill.phase()).isEqualTo(Phase.BACKFILLED);
      assertThat(afterBackfill.result().table()).isEqualTo("customers");
      assertThat(afterBackfill.result().bytesAfter())
          .isLessThan(afterBackfill.result().bytesBefore());
      assertThat(compaction.last(EMAIL)).contains(afterBackfill);

      control.verify(EMAIL, "test");
      control.readNew(EMAIL, 100, "test");
      control.stopOldWrites(EMAIL, "test");
      assertThatThrownBy(
              () ->
                  control.contract(
                      EMAIL,
                      "test",
                      () -> {
                        throw new IllegalStateException("DDL failed");
                      }))
          .hasMessage("DDL failed");
      assertRefused(compaction, "contract DDL has begun");
      control.contract(
          EMAIL,
          "test",
          () -> TestSql.execute(dataSource, "ALTER TABLE customers DROP COLUMN email"));

      Compacted afterContract = compaction.compact(EMAIL, "test");
      assertThat(afterContract.phase()).isEqualTo(Phase.CONTRACTED);
      assertThat(afterContract.result().bytesAfter())
          .isLessThan(afterContract.result().bytesBefore());
    }
  }

  @Test
  void onH2CompactIsRefusedNamingWhy() throws Exception {
    try (HikariDataSource dataSource = TestDatabase.H2.create("compaction")) {
      Customers.recreate(dataSource);
      ExpandContract ec = instance(dataSource);
      MigrationCompaction compaction = compaction(ec, dataSource, DatabaseType.H2);
      ec.control().startBackfill(EMAIL, "test");
      while (ec.backfill().runBatch(EMAIL) == BatchOutcome.COPIED) {}
      assertRefused(compaction, "pg_repack serves PostgreSQL only, this database is H2");
      assertThat(compaction.last(EMAIL)).isEmpty();
    }
  }

  private static ExpandContract instance(HikariDataSource dataSource) {
    return ExpandContract.builder(dataSource)
        .migration(Customers.emailModel(true, Customers.smallBatches(1000)).migration())
        .instanceId("app")
        .tablePrefix(Customers.STATE_PREFIX)
        .soakTime(java.time.Duration.ZERO)
        .build();
  }

  private static MigrationCompaction compaction(
      ExpandContract ec, HikariDataSource dataSource, DatabaseType database) {
    return new MigrationCompaction(
        ec.store(),
        ec::migration,
        new PgRepackCompaction(
            "pg_repack",
            dataSource,
            database,
            ToolConnection.of(dataSource, ""),
            DdlSettings.DEFAULTS,
            DdlProgress.NO_OP));
  }

  private static void assertRefused(MigrationCompaction compaction, String reason) {
    assertThatThrownBy(() -> compaction.compact(EMAIL, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining(reason);
  }
}
