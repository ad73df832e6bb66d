package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.test.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every key type a service uses goes through backfill and verification on every database, keyset
 * batch after keyset batch with the cursor checkpointed as text in between; any other key type is
 * refused at start-up in one line naming the migration, the column and its type.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractKeyTypesTest {

  private static final int ROWS = 60;
  private static final String COLUMN = "keyed-email";
  private static final String TABLE = "keyed-table";

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  /** The key column types this database must support, with the keys to seed them with. */
  abstract Stream<KeyColumn> supportedKeys();

  /** Key column types this database has that must be refused, and how its metadata names each. */
  abstract Stream<RefusedKey> refusedKeys();

  /**
   * A key column type and its ROWS keys, as SQL literals and as the verifier names them.
   *
   * @param keyText how the verifier names key i
   */
  record KeyColumn(String type, IntFunction<String> literal, IntFunction<String> keyText) {
    @Override
    public String toString() {
      return type;
    }
  }

  record RefusedKey(String type, String reportedAs) {
    @Override
    public String toString() {
      return type;
    }
  }

  /** Keys whose SQL literal is their text, e.g. numbers. */
  static KeyColumn plain(String type, IntFunction<String> key) {
    return new KeyColumn(type, key, key);
  }

  /** Keys that are quoted strings, e.g. text or UUIDs in a CHAR(36). */
  static KeyColumn quoted(String type, IntFunction<String> key) {
    return new KeyColumn(type, i -> "'" + key.apply(i) + "'", key);
  }

  /** Distinct, valid UUIDs in no particular order, half of them with a first byte above 0x7f. */
  static UUID uuid(int i) {
    return UUID.nameUUIDFromBytes(("key " + i).getBytes(StandardCharsets.UTF_8));
  }

  /** Text keys out of insertion order, of mixed case but distinct ignoring case. */
  static String text(int i) {
    return (i % 2 == 0 ? "Key-" : "key-") + Integer.toString(i * 7919 % 1009, 36) + "-" + i;
  }

  static String hex(UUID uuid) {
    return uuid.toString().replace("-", "");
  }

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("keytypes_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("supportedKeys")
  void everyRowIsBackfilledAndVerifiedAndDriftIsNamedByItsKey(KeyColumn key) throws Exception {
    recreate(key.type());
    TestSql.execute(
        dataSource,
        "INSERT INTO keyed (id, email) VALUES "
            + IntStream.range(0, ROWS)
                .mapToObj(i -> "(" + key.literal().apply(i) + ", 'User" + i + "@Example.COM')")
                .collect(Collectors.joining(", ")));
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(
                Migration.column(COLUMN)
                    .table("keyed")
                    .key("id")
                    .map("email")
                    .to("email_normalized")
                    .using("lower(email)")
                    .backfill(Customers.smallBatches(7))
                    .build())
            .migration(
                Migration.table(TABLE)
                    .from("keyed")
                    .key("id")
                    .into("keyed_new")
                    .newKey("id")
                    .map("email")
                    .to("email_normalized")
                    .using("lower(email)")
                    .backfill(Customers.smallBatches(7))
                    .build())
            .tablePrefix(Customers.STATE_PREFIX)
            .verifyBatchSize(11)
            .build();

    for (String id : List.of(COLUMN, TABLE)) {
      ec.control().startBackfill(id, "test");
      int batches = 0;
      BatchOutcome outcome;
      do {
        outcome = ec.backfill().runBatch(id);
        assertThat(outcome)
            .as(ec.status(id).lastError())
            .isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
        batches++;
        // A cursor that cannot hold the key exactly never reaches the end.
        assertThat(batches).as("batches so far").isLessThanOrEqualTo(ROWS);
      } while (outcome != BatchOutcome.FINISHED);
      assertThat(batches).as("keyset batches of 7 over %d rows", ROWS).isEqualTo(ROWS / 7 + 1);
      assertThat(ec.status(id).phase()).isEqualTo(Phase.BACKFILLED);
    }
    assertThat(
            TestSql.queryLong(
                dataSource, "SELECT COUNT(*) FROM keyed WHERE email_normalized = lower(email)"))
        .as("rows the column backfill copied")
        .isEqualTo(ROWS);
    assertThat(
            TestSql.queryLong(
                dataSource,
                "SELECT COUNT(*) FROM keyed k JOIN keyed_new n ON n.id = k.id"
                    + " WHERE n.email_normalized = lower(k.email)"))
        .as("rows the table backfill copied")
        .isEqualTo(ROWS);
    for (String id : List.of(COLUMN, TABLE)) {
      VerificationReport clean = ec.control().verify(id, "test");
      assertThat(clean.mismatches()).as(clean.summary()).isZero();
      assertThat(clean.rowsChecked()).isEqualTo(ROWS);
    }

    TestSql.execute(
        dataSource,
        "UPDATE keyed SET email_normalized = 'drift' WHERE id = " + key.literal().apply(0),
        "UPDATE keyed_new SET email_normalized = 'drift' WHERE id = " + key.literal().apply(41),
        "DELETE FROM keyed_new WHERE id = " + key.literal().apply(ROWS - 1));
    assertThat(ec.control().verify(COLUMN, "test").sampleKeys())
        .containsExactly(key.keyText().apply(0) + " (differs)");
    assertThat(ec.control().verify(TABLE, "test").sampleKeys())
        .containsExactlyInAnyOrder(
            key.keyText().apply(41) + " (differs)", key.keyText().apply(ROWS - 1) + " (differs)");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refusedKeys")
  void anyOtherKeyTypeIsRefusedInOneLineNamingMigrationColumnAndType(RefusedKey key) {
    recreate(key.type());

    assertThatThrownBy(
            () ->
                ExpandContract.builder(dataSource)
                    .migration(
                        Migration.column("odd-key")
                            .table("keyed")
                            .key("id")
                            .map("email")
                            .to("email_normalized")
                            .build())
                    .tablePrefix(Customers.STATE_PREFIX)
                    .build())
        .isInstanceOf(InvalidMigrationException.class)
        .extracting(e -> e.getMessage().lines().filter(line -> line.contains("'odd-key'")).toList())
        .asInstanceOf(InstanceOfAssertFactories.list(String.class))
        .singleElement()
        .asString()
        .contains("'keyed.id'")
        .containsIgnoringCase("type " + key.reportedAs());
  }

  @Test
  void aBackfillThatCannotStartSaysWhyInTheDatabasesWords() {
    recreate("BIGINT");
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(
                Migration.column("m-start")
                    .table("keyed")
                    .key("id")
                    .map("email")
                    .to("email_normalized")
                    .build())
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
    TestSql.execute(dataSource, "DROP TABLE keyed_new", "DROP TABLE keyed");

    assertThatThrownBy(() -> ec.control().startBackfill("m-start", "operator"))
        .hasMessageContaining("cannot start the backfill of m-start")
        .hasMessageMatching("(?s).*keyed.*(does not exist|doesn't exist).*");
  }

  private void recreate(String keyType) {
    // Pooled connections cache plans of statements over the old 'keyed' (PostgreSQL refuses them
    // once the key's type changed): every case starts on fresh connections.
    dataSource.getHikariPoolMXBean().softEvictConnections();
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "chunk",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "poison",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "transition",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "instance",
        "DROP TABLE IF EXISTS " + Customers.STATE_PREFIX + "migration",
        "DROP TABLE IF EXISTS keyed_new",
        "DROP TABLE IF EXISTS keyed",
        "CREATE TABLE keyed (id "
            + keyType
            + " NOT NULL PRIMARY KEY, email VARCHAR(200), email_normalized VARCHAR(200))",
        "CREATE TABLE keyed_new (id "
            + keyType
            + " NOT NULL PRIMARY KEY, email_normalized VARCHAR(200))");
  }
}
