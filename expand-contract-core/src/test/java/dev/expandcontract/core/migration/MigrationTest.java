package dev.expandcontract.core.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the builders refuse before any database is involved, and the defaults they fill in. */
class MigrationTest {

  private static Migration.ColumnBuilder email(String id) {
    return Migration.column(id).table("customers").key("id");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "Upper",
        "-leading-dash",
        "with space",
        "semi;colon",
        "sixty-five-characters-are-one-too-many-for-an-id-so-it-is-refused"
      })
  void anInvalidIdIsRefused(String id) {
    assertThatThrownBy(() -> email(id).map("email").to("email_normalized").build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("migration id '" + id + "' is invalid");
  }

  @Test
  void validIdsAreAccepted() {
    for (String id : List.of("a", "customer-email", "v2.address_split", "x".repeat(64))) {
      assertThat(email(id).map("email").to("email_normalized").build().id()).isEqualTo(id);
    }
  }

  @Test
  void aColumnMigrationNeedsATableAKeyAndAMapping() {
    assertThatThrownBy(() -> Migration.column("m").key("id").map("a").to("b").build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessage("migration 'm': table is not set");
    assertThatThrownBy(() -> Migration.column("m").table("t").map("a").to("b").build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessage("migration 'm': key is not set");
    assertThatThrownBy(() -> Migration.column("m").table("t").key("id").build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessage("migration 'm': no columns are mapped");
  }

  @Test
  void aTableMigrationNeedsItsNewTable() {
    assertThatThrownBy(
            () -> Migration.table("m").from("customers").key("id").map("a").to("b").build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessage("migration 'm': new table is not set");
  }

  @Test
  void aColumnMappedToNothingIsRefused() {
    assertThatThrownBy(() -> email("m").map("email").map("street").to("street_name").build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessage("migration 'm': column 'email' is mapped to no new column");
  }

  @Test
  void aColumnMigrationStaysInOneTableWithOneKey() {
    List<ColumnMapping> columns = List.of(new ColumnMapping("a", "b", null, Optional.empty()));
    assertThatThrownBy(
            () -> new Migration("m", MigrationKind.COLUMN, "t", "id", "u", "id", columns, null))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("one table with one key");
  }

  @Test
  void aTableMigrationKeepsTheOldKeyNameUnlessToldOtherwise() {
    Migration sameKey =
        Migration.table("m").from("customers").key("id").into("addresses").map("a").to("a").build();
    Migration newKey =
        Migration.table("m")
            .from("customers")
            .key("id")
            .into("addresses")
            .newKey("customer_id")
            .map("a")
            .to("a")
            .build();

    assertThat(sameKey.newKey()).isEqualTo("id");
    assertThat(newKey.newKey()).isEqualTo("customer_id");
    assertThat(newKey.kind()).isEqualTo(MigrationKind.TABLE);
  }

  @Test
  void mappingsKeepTheirOwnTransformsAndDefaultToAPlainCopy() {
    Migration m =
        email("m")
            .map("email")
            .to("email_normalized")
            .using(" lower(email) ")
            .reverse("email_normalized")
            .map("street")
            .to("street_name")
            .build();

    ColumnMapping normalized = m.columns().get(0);
    assertThat(normalized.transform()).isEqualTo("lower(email)");
    assertThat(normalized.reverseTransform()).contains("email_normalized");
    assertThat(normalized.javaTransform()).as("no twin declared, not a plain copy").isEmpty();
    ColumnMapping copy = m.columns().get(1);
    assertThat(copy.transform()).isEqualTo("street");
    assertThat(copy.reverseTransform()).isEmpty();
    assertThat(copy.javaTransform()).as("a plain copy is its own twin").isPresent();
    assertThat(copy.javaTransform().get().apply("Main St")).isEqualTo("Main St");
    assertThat(m.hasReverseTransform()).as("only one of two mappings can be reversed").isFalse();
    assertThatThrownBy(() -> m.columns().add(copy))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBlankReverseTransformIsNone() {
    Migration m = email("m").map("email").to("e2").reverse("  ").build();
    assertThat(m.columns().get(0).reverseTransform()).isEmpty();
    assertThat(m.hasReverseTransform()).isFalse();
  }

  @Test
  void backfillSettingsDefaultAndABatchSizeWidensTheBounds() {
    assertThat(email("m").map("a").to("b").build().backfill()).isEqualTo(BackfillSettings.DEFAULTS);

    BackfillSettings small = email("m").map("a").to("b").batchSize(10).build().backfill();
    assertThat(small.batchSize()).isEqualTo(10);
    assertThat(small.minBatchSize()).isEqualTo(10);
    assertThat(small.maxBatchSize()).isEqualTo(BackfillSettings.DEFAULTS.maxBatchSize());
    BackfillSettings big = BackfillSettings.DEFAULTS.withBatchSize(200_000);
    assertThat(big.maxBatchSize()).isEqualTo(200_000);
  }

  @Test
  void inconsistentBackfillSettingsAreRefused() {
    Duration ms = Duration.ofMillis(100);
    assertThatThrownBy(
            () ->
                new BackfillSettings(10, 0, 100, ms, ms, ms, ms, 1, ms, ThrottleSettings.DEFAULTS))
        .hasMessageContaining("minBatchSize");
    assertThatThrownBy(
            () -> new BackfillSettings(10, 10, 5, ms, ms, ms, ms, 1, ms, ThrottleSettings.DEFAULTS))
        .hasMessageContaining("maxBatchSize");
    assertThatThrownBy(
            () ->
                new BackfillSettings(
                    500, 10, 100, ms, ms, ms, ms, 1, ms, ThrottleSettings.DEFAULTS))
        .hasMessageContaining("batchSize 500");
    assertThatThrownBy(
            () ->
                new BackfillSettings(
                    10, 10, 100, Duration.ZERO, ms, ms, ms, 1, ms, ThrottleSettings.DEFAULTS))
        .hasMessageContaining("targetBatchTime");
    assertThatThrownBy(
            () ->
                new BackfillSettings(
                    10,
                    10,
                    100,
                    ms,
                    ms,
                    Duration.ofMillis(-1),
                    ms,
                    1,
                    ms,
                    ThrottleSettings.DEFAULTS))
        .hasMessageContaining("lockTimeout");
    assertThatThrownBy(
            () ->
                new BackfillSettings(
                    10, 10, 100, ms, ms, ms, ms, -1, ms, ThrottleSettings.DEFAULTS))
        .hasMessageContaining("maxRetries");
  }
}
