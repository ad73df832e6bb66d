package dev.expandcontract.core.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.sql.DatabaseType;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each rule with a script that triggers it and one that does not. */
class DdlLintTest {

  private static final Set<String> MAPPED = Set.of("customers", "customers.email");

  static Stream<Arguments> cases() {
    return Stream.of(
        // rule, database, triggering script, safe script
        Arguments.of(
            "pg-alter-column-type",
            DatabaseType.POSTGRESQL,
            "ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);",
            "ALTER TABLE orders ADD COLUMN total_v2 numeric(12,2);"),
        Arguments.of(
            "pg-add-column-volatile-default",
            DatabaseType.POSTGRESQL,
            "ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();",
            "ALTER TABLE orders ADD COLUMN status text DEFAULT 'new';"),
        Arguments.of(
            "pg-create-index-not-concurrently",
            DatabaseType.POSTGRESQL,
            "CREATE INDEX orders_status ON orders (status);",
            "CREATE INDEX CONCURRENTLY orders_status ON orders (status);"),
        Arguments.of(
            "pg-set-not-null-unchecked",
            DatabaseType.POSTGRESQL,
            "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;",
            "ALTER TABLE orders ADD CONSTRAINT status_nn CHECK (status IS NOT NULL) NOT VALID;\n"
                + "ALTER TABLE orders VALIDATE CONSTRAINT status_nn;\n"
                + "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;"),
        Arguments.of(
            "pg-foreign-key-not-valid",
            DatabaseType.POSTGRESQL,
            "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id);",
            "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (customer_id) REFERENCES customers (id)"
                + " NOT VALID;"),
        Arguments.of(
            "mysql-copying-alter",
            DatabaseType.MYSQL,
            "ALTER TABLE orders MODIFY total DECIMAL(12,2);",
            "ALTER TABLE orders ADD COLUMN total_v2 DECIMAL(12,2), ADD INDEX orders_total (total);"),
        Arguments.of(
            "contract-outside-guard",
            DatabaseType.POSTGRESQL,
            "ALTER TABLE customers DROP COLUMN email;",
            "ALTER TABLE customers DROP COLUMN legacy_flag;"),
        Arguments.of(
            "contract-outside-guard",
            DatabaseType.MYSQL,
            "RENAME TABLE customers TO clients;",
            "RENAME TABLE audit_log TO audit_log_old;"));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void triggersOnTheLockingFormOnly(String rule, DatabaseType database, String bad, String good) {
    DdlLint lint = new DdlLint(database, MAPPED);
    List<LintFinding> findings = lint.check(List.of(new PendingScript("V7__bad.sql", "\n" + bad)));
    assertThat(findings).extracting(LintFinding::rule).contains(rule);
    LintFinding finding = findings.stream().filter(f -> f.rule().equals(rule)).findFirst().get();
    assertThat(finding.toString()).startsWith("V7__bad.sql:2: [" + rule + "]").contains("Instead:");
    assertThat(lint.check(List.of(new PendingScript("V8__good.sql", good))))
        .extracting(LintFinding::rule)
        .doesNotContain(rule);
  }

  @Test
  void aScriptOptsOutOfOneRuleSayingWhy() {
    DdlLint lint = new DdlLint(DatabaseType.POSTGRESQL, MAPPED);
    String script =
        "-- expand-contract: allow pg-create-index-not-concurrently because orders has 40 rows\n"
            + "CREATE INDEX orders_status ON orders (status);\n"
            + "ALTER TABLE orders ALTER COLUMN total TYPE bigint;";
    assertThat(lint.check(List.of(new PendingScript("V9.sql", script))))
        .extracting(LintFinding::rule)
        .containsExactly("pg-alter-column-type");
    String noReason =
        "-- expand-contract: allow pg-create-index-not-concurrently\n"
            + "CREATE INDEX orders_status ON orders (status);";
    assertThat(lint.check(List.of(new PendingScript("V9.sql", noReason))))
        .extracting(LintFinding::message)
        .anyMatch(m -> m.startsWith("an opt-out must say why"))
        .anyMatch(m -> m.startsWith("CREATE INDEX without CONCURRENTLY"));
  }

  @Test
  void aTableCreatedInTheSameScriptIsEmpty() {
    String script =
        "CREATE TABLE customer_addresses (customer_id BIGINT PRIMARY KEY, city TEXT);\n"
            + "CREATE INDEX customer_addresses_city ON customer_addresses (city);";
    assertThat(
            new DdlLint(DatabaseType.POSTGRESQL, MAPPED)
                .check(List.of(new PendingScript("V2.sql", script))))
        .isEmpty();
  }
}
