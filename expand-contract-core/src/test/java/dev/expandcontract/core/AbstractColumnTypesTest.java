package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.test.TestDatabase;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The copy and the verifier compare every text type character for character, whatever its collation
 * ignores; a transform whose values a numeric new column would round is refused at start-up instead
 * of being reported as a mismatch forever.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractColumnTypesTest {

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  /** New column types holding text, some through a case- or accent-insensitive collation. */
  abstract Stream<String> textTypes();

  /** Statements a text type needs first (an extension, a collation). */
  List<String> textSetUp() {
    return List.of();
  }

  /** Transforms into {@code amount} (NUMERIC(10,2)) or {@code whole} (INT) the column rounds. */
  abstract Stream<String[]> roundedTransforms();

  /** Transforms whose values those columns hold exactly. */
  abstract Stream<String[]> exactTransforms();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("coltypes_" + database().name().toLowerCase());
    textSetUp().forEach(sql -> TestSql.execute(dataSource, sql));
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("textTypes")
  void textDifferingOnlyInCaseOrAccentsIsCopiedAndCaught(String type) throws Exception {
    recreate("word VARCHAR(60), word_exact " + type);
    // Stale new values that a case- or accent-insensitive comparison finds equal to the old.
    TestSql.execute(
        dataSource,
        "INSERT INTO typed (id, word, word_exact) VALUES (1, 'José', 'jose'), (2, 'MÜLLER',"
            + " 'müller'), (3, 'Crème', 'CREME'), (4, 'plain', 'plain'), (5, 'pad  ', 'pad')");
    ExpandContract ec =
        backfilled(Migration.column("words").table("typed").key("id").map("word").to("word_exact"));

    assertThat(
            TestSql.rows(dataSource, "SELECT word, word_exact FROM typed ORDER BY id").stream()
                .map(row -> List.of(row.get(0).toString().stripTrailing(), stripped(row.get(1)))))
        .allSatisfy(row -> assertThat(row.get(1)).isEqualTo(row.get(0)));
    VerificationReport clean = ec.control().verify("words", "test");
    assertThat(clean.mismatches()).as(clean.summary()).isZero();

    TestSql.execute(
        dataSource,
        "UPDATE typed SET word_exact = 'Jose' WHERE id = 1",
        "UPDATE typed SET word_exact = 'Müller' WHERE id = 2",
        "UPDATE typed SET word_exact = 'Plain' WHERE id = 4");
    assertThat(ec.control().verify("words", "test").sampleKeys())
        .containsExactly("1 (differs)", "2 (differs)", "4 (differs)");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("roundedTransforms")
  void aTransformTheNewColumnWouldRoundIsRefusedAtStartUp(String column, String transform) {
    recreateAmounts();

    assertThatThrownBy(() -> backfilled(amounts(column, transform)))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("'amounts'")
        .hasMessageContaining("transform of new column '" + column + "'")
        .hasMessageContaining("typed." + column)
        .hasMessageContaining("CAST(");
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("exactTransforms")
  void aTransformTheNewColumnHoldsExactlyVerifiesClean(String column, String transform)
      throws Exception {
    recreateAmounts();

    ExpandContract ec = backfilled(amounts(column, transform));

    VerificationReport report = ec.control().verify("amounts", "test");
    assertThat(report.mismatches()).as(report.summary()).isZero();
  }

  private Migration.ColumnBuilder amounts(String column, String transform) {
    Migration.ColumnBuilder builder = Migration.column("amounts").table("typed").key("id");
    builder.map("amount_text").to(column).using(transform);
    return builder;
  }

  private void recreateAmounts() {
    recreate(
        "amount_text VARCHAR(20), amount_3 NUMERIC(12,3), quantity INT, amount NUMERIC(10,2),"
            + " whole INT");
    TestSql.execute(
        dataSource,
        "INSERT INTO typed (id, amount_text, amount_3, quantity) VALUES (1, '1.005', 1.005, 3),"
            + " (2, '12.5', 12.5, 7), (3, '0.015', 0.015, 1)");
  }

  private ExpandContract backfilled(Migration.ColumnBuilder builder) throws Exception {
    return backfilled(builder.backfill(Customers.smallBatches(2)).build());
  }

  private ExpandContract backfilled(Migration migration) throws Exception {
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(migration)
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
    ec.control().startBackfill(migration.id(), "test");
    BatchOutcome outcome;
    int batches = 0;
    do {
      outcome = ec.backfill().runBatch(migration.id());
      assertThat(outcome)
          .as(ec.status(migration.id()).lastError())
          .isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
      assertThat(++batches).isLessThan(10);
    } while (outcome != BatchOutcome.FINISHED);
    return ec;
  }

  private static String stripped(Object value) {
    return value == null ? null : value.toString().stripTrailing();
  }

  private void recreate(String columns) {
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "transition",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "instance",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "migration",
        "DROP TABLE IF EXISTS typed",
        "CREATE TABLE typed (id BIGINT NOT NULL PRIMARY KEY, " + columns + ")");
  }
}
