package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.ToolBinaries;
import dev.expandcontract.spring.ddl.DdlTools;
import dev.expandcontract.spring.ddl.FlywayDdlGuard;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guarded expand: while a long transaction holds the table, the expand script's ALTER waits for its
 * lock only briefly and retries, so the application's statements on the table are never queued
 * behind it for longer than that wait; the expand lands once the long transaction ends.
 */
abstract class GuardedExpandTest {

  private static final Duration LOCK_TIMEOUT = Duration.ofMillis(300);

  abstract TestDatabase database();

  /** The session id the lock-holder report names: pid on PostgreSQL, thread id on MariaDB. */
  abstract String sessionIdQuery();

  abstract String holderName(long sessionId);

  private HikariDataSource dataSource;

  @BeforeEach
  void createTable() throws Exception {
    dataSource = database().create("guarded_expand");
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id BIGINT NOT NULL PRIMARY KEY, note VARCHAR(50))");
      for (int i = 1; i <= 10; i++) {
        s.execute("INSERT INTO orders (id, note) VALUES (" + i + ", 'n" + i + "')");
      }
    }
  }

  @AfterEach
  void close() {
    dataSource.close();
  }

  @Test
  void expandWaitsOutALongTransactionWithoutBlockingTheApplication() throws Exception {
    AtomicInteger retries = new AtomicInteger();
    Flyway flyway = guardedFlyway(200, retries);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong slowest = new AtomicLong();
    AtomicInteger requests = new AtomicInteger();
    CompletableFuture<Void> traffic;
    CompletableFuture<Void> expand;
    try (Connection blocker = dataSource.getConnection()) {
      holdTable(blocker);
      traffic = CompletableFuture.runAsync(() -> applicationTraffic(stop, slowest, requests));
      expand = CompletableFuture.runAsync(flyway::migrate);
      // The expand keeps retrying behind the blocker while requests go on.
      Poll.until(Duration.ofSeconds(30), "a first lock retry", () -> retries.get() >= 1);
      int before = requests.get();
      Poll.until(
          Duration.ofSeconds(30),
          "3 more lock retries and 40 more requests",
          () -> retries.get() >= 4 && requests.get() >= before + 40);
      assertThat(expand).as("expand while the long transaction holds the table").isNotDone();
      assertThat(columnExists()).isFalse();
      blocker.rollback();
    }
    expand.get(60, TimeUnit.SECONDS);
    stop.set(true);
    traffic.get(30, TimeUnit.SECONDS);
    assertThat(columnExists()).as("orders.status after the expand").isTrue();
    assertThat(Duration.ofNanos(slowest.get()))
        .as("slowest application statement of %s while the expand retried", requests.get())
        .isLessThan(LOCK_TIMEOUT.plusSeconds(1));
  }

  @Test
  void expandGivesUpNamingTheSessionThatHoldsTheTable() throws Exception {
    Flyway flyway = guardedFlyway(3, new AtomicInteger());
    try (Connection blocker = dataSource.getConnection()) {
      long blockerId = holdTable(blocker);
      assertThatThrownBy(flyway::migrate)
          .satisfies(e -> System.out.println("MESSAGE: " + e.getMessage()))
          .hasMessageContaining("gave up after 3 attempts")
          .hasMessageContaining("orders")
          .hasMessageContaining(holderName(blockerId));
      blocker.rollback();
    }
    assertThat(columnExists()).isFalse();
  }

  private Flyway guardedFlyway(int attempts, AtomicInteger retries) {
    return guardedFlyway(attempts, retries, "native");
  }

  /** Flyway on a fresh database (no history table yet), its DDL through the given executor. */
  Flyway guardedFlyway(int attempts, AtomicInteger reports, String defaultExecutor) {
    FluentConfiguration configuration =
        Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/guarded-expand")
            .baselineOnMigrate(true)
            .baselineVersion("0");
    new FlywayDdlGuard(
            new DdlTools(
                ToolBinaries.ON_PATH,
                (executor, change, line) -> reports.incrementAndGet(),
                "",
                defaultExecutor,
                Map.of()),
            DdlSettings.DEFAULTS.withLockTimeout(LOCK_TIMEOUT).withMaxAttempts(attempts))
        .customize(configuration);
    return configuration.load();
  }

  /** A transaction that read the table and stays open; returns its session id. */
  private long holdTable(Connection blocker) throws Exception {
    blocker.setAutoCommit(false);
    try (Statement s = blocker.createStatement();
        ResultSet rs = s.executeQuery(sessionIdQuery())) {
      rs.next();
      long id = rs.getLong(1);
      s.executeQuery("SELECT note FROM orders WHERE id = 1").close();
      return id;
    }
  }

  private void applicationTraffic(AtomicBoolean stop, AtomicLong slowest, AtomicInteger requests) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement update = c.prepareStatement("UPDATE orders SET note = ? WHERE id = 2");
        PreparedStatement read = c.prepareStatement("SELECT note FROM orders WHERE id = 3")) {
      for (int n = 0; !stop.get(); n++) {
        long started = System.nanoTime();
        update.setString(1, "u" + n);
        update.executeUpdate();
        read.executeQuery().close();
        slowest.accumulateAndGet(System.nanoTime() - started, Math::max);
        requests.incrementAndGet();
      }
    } catch (Exception e) {
      throw new IllegalStateException("application statement failed", e);
    }
  }

  boolean columnExists() throws Exception {
    try (Connection c = dataSource.getConnection();
        ResultSet columns =
            c.getMetaData().getColumns(c.getCatalog(), c.getSchema(), "orders", "status")) {
      return columns.next();
    }
  }
}
