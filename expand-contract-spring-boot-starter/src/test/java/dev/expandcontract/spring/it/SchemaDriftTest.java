package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.test.TestDatabase;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.core.NestedExceptionUtils;

/**
 * Never change the schema and deploy at the same time: a release whose expand has not run, or whose
 * old schema a contract already removed, does not start, and one line says which migration misses
 * what.
 */
abstract class SchemaDriftTest {

  abstract TestDatabase database();

  @Test
  void startUpRefusesAMissingNewSchema() {
    assertRefused(
        start("missing_new", "classpath:db/schema-drift/missing-new/{vendor}"),
        "migration 'customer-email': new column 'email_normalized' does not exist in table 'customers'");
  }

  @Test
  void startUpRefusesAnOldSchemaThatIsGoneBeforeTheContract() {
    assertRefused(
        start("old_gone", "classpath:db/schema-drift/old-gone/{vendor}"),
        "migration 'customer-email': column 'email' does not exist in table 'customers'");
  }

  private ThrowingCallable start(String name, String locations) {
    database().create("drift_" + name).close();
    return () ->
        // Arguments, not default properties: application.properties would win over those.
        new SpringApplicationBuilder(ItApplication.class)
            .run(
                "--spring.main.web-application-type=none",
                "--spring.datasource.url=" + database().jdbcUrl("drift_" + name),
                "--spring.datasource.username=" + database().username(),
                "--spring.datasource.password=" + database().password(),
                "--spring.flyway.locations=" + locations)
            .close();
  }

  private static void assertRefused(ThrowingCallable start, String line) {
    assertThatThrownBy(start)
        .satisfies(
            e ->
                org.assertj.core.api.Assertions.assertThat(
                        NestedExceptionUtils.getMostSpecificCause(e).getMessage().lines())
                    .as("one line per invalid migration")
                    .anyMatch(l -> l.strip().startsWith("- " + line)));
  }
}
