package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.StaleStateException;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import dev.expandcontract.spring.endpoint.MigrationDescriptor;
import dev.expandcontract.spring.observe.ExpandContractHealthIndicator;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The database unreachable when the application starts, and again in the middle of a backfill for
 * longer than a batch's retries: the application starts and serves what it can, health and the
 * endpoint say the state is unknown and why, writes of migrated values are refused, and all of it
 * comes back by itself when the database does, without losing a batch. The outage is a TCP proxy
 * the test cuts, between a real Hikari pool and the shared server.
 */
@SpringBootTest
abstract class DatabaseOutageTest extends ItSupport {

  private static final int ROWS = 10_000;
  private static final Duration OUTAGE_TIMEOUT = Duration.ofSeconds(60);

  static TcpProxy proxy;
  static HikariDataSource direct;

  @Autowired ExpandContractHealthIndicator health;
  @Autowired ExpandContractEndpoint endpoint;

  /**
   * Creates the schema and rows directly, then points the application at a proxy that is cut: the
   * context starts while the database is unreachable.
   */
  static void registerBehindACutProxy(
      DynamicPropertyRegistry registry, TestDatabase database, String vendor, String dialect) {
    String name = "starter_outage";
    direct = database.create(name);
    Flyway.configure()
        .dataSource(direct)
        .locations("classpath:db/migration/" + vendor)
        .load()
        .migrate();
    new JdbcTemplate(direct)
        .batchUpdate(
            "insert into customers (name, email) values (?, ?)",
            IntStream.rangeClosed(1, ROWS)
                .mapToObj(i -> new Object[] {"c" + i, " C" + i + "@Example.COM "})
                .toList());
    proxy = new TcpProxy(database.jdbcUrl(name));
    registry.add("spring.datasource.url", () -> proxy.proxied(database.jdbcUrl(name)));
    registry.add("spring.datasource.username", database::username);
    registry.add("spring.datasource.password", database::password);
    registry.add("spring.datasource.hikari.connection-timeout", () -> "1000");
    registry.add("spring.flyway.enabled", () -> "false"); // Flyway itself needs the database
    // Hibernate starts without asking the database for its dialect.
    registry.add("spring.jpa.database-platform", () -> dialect);
    registry.add("spring.jpa.properties.hibernate.boot.allow_jdbc_metadata_access", () -> "false");
  }

  @AfterAll
  static void closeProxy() {
    proxy.close();
    direct.close();
  }

  @Test
  void startsWithoutTheDatabaseAndResumesByItselfAfterEachOutage() {
    // Started while unreachable: state unknown, the reason in health and GET, no migrated write.
    assertThat(expandContract.started()).isFalse();
    assertUnknown("unreachable");
    assertThat(endpoint.migrations().migrations())
        .extracting(MigrationDescriptor::id, MigrationDescriptor::phase)
        .containsExactlyInAnyOrder(tuple(EMAIL, "UNKNOWN"), tuple(ADDRESS, "UNKNOWN"));
    assertThatThrownBy(() -> expandContract.writableState(EMAIL))
        .isInstanceOf(StaleStateException.class)
        .hasMessageContaining("unreachable");

    // The database answers: validated, state read, health UP, by the refresh loop alone.
    proxy.open();
    Poll.until(TIMEOUT, "health UP", () -> health.health().getStatus(), Status.UP::equals);
    assertThat(expandContract.started()).isTrue();
    assertThat(expandContract.state(EMAIL).phase()).isEqualTo(Phase.EXPANDED);
    assertThat(describe(EMAIL).lastError()).isNull();
    expandContract.writableState(EMAIL); // writes allowed again

    // Mid-backfill, the database goes away for longer than a batch's retries.
    expandContract.control().startBackfill(EMAIL, "test");
    Poll.until(TIMEOUT, "some batches copied", () -> stored(EMAIL).rowsDone() >= 1_000);
    proxy.cut();
    Poll.until(
        OUTAGE_TIMEOUT,
        "a batch gave up after its retries",
        () -> listener.databaseUnavailable.contains(EMAIL));
    assertUnknown("unreachable since");
    MigrationDescriptor during = describe(EMAIL);
    assertThat(during.phase()).isEqualTo("BACKFILLING");
    assertThat(during.paused()).as("nothing for an operator to resume").isFalse();
    assertThat(during.lastError()).contains("state unknown", "unreachable since");
    Poll.until(
        OUTAGE_TIMEOUT,
        "writes refused once the state may be stale",
        () -> {
          try {
            expandContract.writableState(EMAIL);
            return false;
          } catch (StaleStateException e) {
            return true;
          }
        });

    // Back: the backfill goes on from its checkpoint, nobody resumes it, nothing is lost.
    proxy.open();
    // status() shows the state last seen while the pool reconnects, where stored() would throw.
    Poll.until(
        OUTAGE_TIMEOUT,
        "backfilled",
        () -> expandContract.status(EMAIL).phase(),
        Phase.BACKFILLED::equals);
    Poll.until(TIMEOUT, "health UP", () -> health.health().getStatus(), Status.UP::equals);
    assertThat(describe(EMAIL).lastError()).isNull();
    assertThat(stored(EMAIL).rowsDone()).isEqualTo(ROWS);
    assertThat(expandContract.control().verify(EMAIL, "test").mismatches()).isZero();
    assertThat(
            new JdbcTemplate(direct)
                .queryForObject(
                    "select count(*) from customers where email_normalized = lower(trim(email))",
                    Long.class))
        .isEqualTo(ROWS);
  }

  private void assertUnknown(String reason) {
    Health current = health.health();
    assertThat(current.getStatus()).isEqualTo(Status.UNKNOWN);
    @SuppressWarnings("unchecked")
    Map<String, Object> email = (Map<String, Object>) current.getDetails().get(EMAIL);
    assertThat((String) email.get("lastError")).contains(reason);
    assertThat(describe(EMAIL).lastError()).contains(reason);
  }

  private MigrationDescriptor describe(String id) {
    return (MigrationDescriptor) endpoint.migration(id).getBody();
  }
}
