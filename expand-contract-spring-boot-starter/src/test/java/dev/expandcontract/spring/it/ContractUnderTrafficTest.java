package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.spring.contract.ContractGate;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

/**
 * The issue's key requirement: the running service survives its own contract. While threads save,
 * update, read and delete customers through the repository, customer-email goes all the way from
 * EXPANDED to CONTRACTED and its contract script drops {@code customers.email}; no request fails
 * and every acknowledged write reads back normalized afterwards.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "expand-contract.flags.store=jdbc",
      "expand-contract.flags.cache-ttl=1s",
      "expand-contract.contract.lock-timeout=300ms"
    })
abstract class ContractUnderTrafficTest extends ItSupport {

  private static final Logger log = LoggerFactory.getLogger(ContractUnderTrafficTest.class);
  private static final int THREADS = 3;
  private static final int LEGACY_ROWS = 1_000;

  @Autowired FlywayContractScripts contractScripts;
  @Autowired DataSource dataSource;
  @Autowired Environment environment;

  /** Last raw email acknowledged per live key. */
  private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();

  private final Set<Long> deleted = ConcurrentHashMap.newKeySet();
  private final AtomicLong operations = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong anomalies = new AtomicLong();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();

  @Test
  void theServiceSurvivesItsOwnContract() throws Exception {
    // Rows of the previous release: only the backfill fills their new column.
    List<Object[]> legacy = new ArrayList<>();
    for (int i = 0; i < LEGACY_ROWS; i++) {
      legacy.add(new Object[] {"legacy" + i, " Legacy" + i + "@Example.COM"});
    }
    // (Only the columns of customer-email: the other test may have contracted customer-address.)
    jdbc.batchUpdate("insert into customers (name, email) values (?, ?)", legacy);
    jdbc.query(
        "select id, email from customers where name like 'legacy%'",
        (ResultSet rs) -> {
          acknowledged.put(rs.getLong(1), rs.getString(2));
        });
    assertThat(acknowledged).hasSize(LEGACY_ROWS);

    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> traffic = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      List<Long> own =
          acknowledged.keySet().stream()
              .filter(id -> id % THREADS == thread)
              .collect(Collectors.toCollection(ArrayList::new));
      traffic.add(pool.submit(() -> run(thread, own)));
    }
    try {
      awaitOperations(150);
      MigrationControl control = expandContract.control();

      backfill(EMAIL);
      VerificationReport report = control.verify(EMAIL, "test");
      assertThat(report.mismatches()).as(report.summary()).isZero();
      assertThat(report.rowsChecked()).isGreaterThanOrEqualTo(LEGACY_ROWS / 2);
      awaitOperations(100);

      control.readNew(EMAIL, 100, "test");
      acknowledge(); // this instance acknowledges reads at 100%
      awaitOperations(100);
      control.stopOldWrites(EMAIL, "test");
      acknowledge(); // ... and that it no longer writes the old column
      awaitOperations(150);
      assertThat(
              jdbc.queryForObject(
                  "select count(*) from customers where email is null and email_normalized is not null",
                  Long.class))
          .as("rows inserted after writes to the old column stopped")
          .isPositive();

      long beforeContract = operations.get();
      control.contract(EMAIL, "test", contractScripts.forMigration(EMAIL));
      assertPhase(stored(EMAIL), Phase.CONTRACTED);
      long duringContract = operations.get() - beforeContract;
      awaitOperations(200);
      log.info(
          "{} requests so far, {} of them while the contract DDL ran",
          operations.get(),
          duringContract);
    } finally {
      stop.set(true);
      for (Future<?> f : traffic) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }

    assertThat(errors.get()).as("failed requests of %s: %s", operations.get(), problems).isZero();
    assertThat(anomalies.get()).as("wrong reads: %s", problems).isZero();
    assertThat(columnExists("email")).as("customers.email after the contract").isFalse();
    assertThat(pooledConnectionsWithChangedLockTimeout())
        .as("pooled connections whose lock timeout the contract DDL left changed")
        .isZero();
    assertThat(deleted).isNotEmpty();

    // Every acknowledged write reads back normalized; every acknowledged delete stays deleted.
    Map<Long, String> expected =
        acknowledged.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> Emails.normalize(e.getValue())));
    Map<Long, String> read = new HashMap<>();
    for (Customer c : customers.findAllById(List.copyOf(expected.keySet()))) {
      read.put(c.getId(), c.getEmail());
    }
    assertThat(read).isEqualTo(expected);
    assertThat(customers.findAllById(List.copyOf(deleted))).isEmpty();
    assertThat(
            jdbc.queryForObject(
                "select count(*) from customers where name like 'legacy%' or name like 't%'",
                Long.class))
        .isEqualTo(expected.size());

    assertTheSameBuildRestartsAndServes();
  }

  /**
   * A restart (crash, deploy, scale-out) of the build that ran the contract, with customer-email
   * still declared: it starts on the new schema alone and serves reads and writes.
   */
  private void assertTheSameBuildRestartsAndServes() {
    try (ConfigurableApplicationContext restarted =
        // Arguments, not default properties: application.properties would win over those.
        new SpringApplicationBuilder(ItApplication.class)
            .run(
                "--spring.main.web-application-type=none",
                "--spring.datasource.url=" + environment.getProperty("spring.datasource.url"),
                "--spring.datasource.username="
                    + environment.getProperty("spring.datasource.username"),
                "--spring.datasource.password="
                    + environment.getProperty("spring.datasource.password", ""),
                "--expand-contract.flags.store=jdbc")) {
      CustomerRepository repository = restarted.getBean(CustomerRepository.class);
      Customer saved =
          repository.save(new Customer("restarted", " After@Restart.ORG ", "R St", "R", "R1"));
      assertThat(repository.findById(saved.getId()).orElseThrow().getEmail())
          .isEqualTo("after@restart.org");
      assertThat(
              jdbc.queryForObject(
                  "select email_normalized from customers where id = ?",
                  String.class,
                  saved.getId()))
          .isEqualTo("after@restart.org");
    }
  }

  /**
   * Contract DDL waits for its lock only briefly and retries; when a long transaction keeps the
   * table, the action fails with the phase unchanged, and succeeds once the table is free.
   */
  @Test
  void contractDdlGivesUpBehindALongTransactionAndSucceedsLater() throws Exception {
    Customer kept = customers.save(new Customer("kept", "k@x.org", "K St", "Kcity", "K1"));
    MigrationControl control = expandContract.control();
    backfill(ADDRESS);
    control.verify(ADDRESS, "test");
    control.readNew(ADDRESS, 100, "test");
    acknowledge();
    control.stopOldWrites(ADDRESS, "test");
    acknowledge();

    FlywayContractScripts threeAttempts =
        new FlywayContractScripts(
            dataSource,
            expandContract,
            "classpath:db/contract/{id}",
            Duration.ofMillis(300),
            3,
            new ContractGate());
    try (Connection blocker = dataSource.getConnection()) {
      blocker.setAutoCommit(false);
      try (var statement =
          blocker.prepareStatement("select id from customers where id = ? for update")) {
        statement.setLong(1, kept.getId());
        statement.executeQuery().close();
      }
      long started = System.nanoTime();
      // Preemptive: without a lock timeout the DDL would wait behind the blocker for ever.
      assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () ->
              assertThatThrownBy(
                      () -> control.contract(ADDRESS, "test", threeAttempts.forMigration(ADDRESS)))
                  .hasMessageContaining("3 attempts"));
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("three short lock waits and their back-off")
          .isLessThan(Duration.ofSeconds(15));
      // Stopped before its first DDL applied, but out of reach of rollback: contract resumes it.
      assertPhase(stored(ADDRESS), Phase.CONTRACTING);
      assertThat(expandContract.status(ADDRESS).lastError()).contains("contract stopped halfway");
      assertThat(columnExists("street")).isTrue();
      blocker.rollback();
    }

    control.contract(ADDRESS, "test", contractScripts.forMigration(ADDRESS));
    assertPhase(stored(ADDRESS), Phase.CONTRACTED);
    assertThat(columnExists("street")).isFalse();
    assertThat(columnExists("zip")).isFalse();
    Customer read = customers.findById(kept.getId()).orElseThrow();
    assertThat(read.getStreet()).isEqualTo("K St");
    assertThat(read.getZip()).isEqualTo("K1");
    assertThat(pooledConnectionsWithChangedLockTimeout())
        .as("pooled connections whose lock timeout the contract DDL left changed")
        .isZero();
  }

  /** One client: inserts, updates, reads and deletes its own customers until told to stop. */
  private void run(int thread, List<Long> own) {
    Random random = new Random(thread);
    int n = 0;
    while (!stop.get()) {
      int dice = random.nextInt(100);
      Long id = own.isEmpty() ? null : own.get(random.nextInt(own.size()));
      try {
        if (dice < 35 || id == null) {
          String email = " T" + thread + "." + (n++) + "@Example.COM ";
          Customer saved =
              customers.save(new Customer("t" + thread, email, "Street " + n, "City", "Z" + n));
          own.add(saved.getId());
          acknowledged.put(saved.getId(), email);
        } else if (dice < 55) {
          Optional<Customer> loaded = customers.findById(id);
          if (loaded.isEmpty()) {
            anomaly("update: " + id + " is gone");
            continue;
          }
          String email = "Upd" + thread + "." + (n++) + "@Example.COM";
          loaded.get().setEmail(email);
          customers.save(loaded.get());
          acknowledged.put(id, email);
        } else if (dice < 90) {
          Optional<Customer> loaded = customers.findById(id);
          String raw = acknowledged.get(id);
          if (loaded.isEmpty()) {
            anomaly("read: " + id + " is gone");
          } else if (!raw.equals(loaded.get().getEmail())
              && !Emails.normalize(raw).equals(loaded.get().getEmail())) {
            anomaly("read: " + id + " has " + loaded.get().getEmail() + ", wrote " + raw);
          }
        } else {
          customers.deleteById(id);
          own.remove(id);
          acknowledged.remove(id);
          deleted.add(id);
        }
        operations.incrementAndGet();
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        if (problems.size() < 10) {
          problems.add(e.toString());
        }
        operations.incrementAndGet();
      }
    }
  }

  private void anomaly(String what) {
    anomalies.incrementAndGet();
    if (problems.size() < 10) {
      problems.add(what);
    }
  }

  private void awaitOperations(long more) {
    long target = operations.get() + more;
    Poll.until(
        Duration.ofSeconds(60),
        more + " more requests",
        operations::get,
        done -> done >= target || errors.get() > 0);
  }

  /**
   * A query answering 1 when the session's lock timeout (the one the contract DDL sets) is the
   * server's default.
   */
  abstract String lockTimeoutIsDefaultQuery();

  /** Holds every connection of the pool at once and asks each for its lock timeout. */
  private int pooledConnectionsWithChangedLockTimeout() throws Exception {
    int size = dataSource.unwrap(com.zaxxer.hikari.HikariDataSource.class).getMaximumPoolSize();
    List<Connection> held = new ArrayList<>();
    int changed = 0;
    try {
      for (int i = 0; i < size; i++) {
        Connection connection = dataSource.getConnection();
        held.add(connection);
        try (var statement = connection.createStatement();
            ResultSet rs = statement.executeQuery(lockTimeoutIsDefaultQuery())) {
          rs.next();
          changed += rs.getInt(1) == 1 ? 0 : 1;
        }
      }
    } finally {
      for (Connection connection : held) {
        connection.close();
      }
    }
    return changed;
  }

  private boolean columnExists(String column) throws Exception {
    try (Connection connection = dataSource.getConnection();
        ResultSet columns =
            connection
                .getMetaData()
                .getColumns(connection.getCatalog(), connection.getSchema(), "customers", null)) {
      List<String> names = new ArrayList<>();
      while (columns.next()) {
        names.add(columns.getString("COLUMN_NAME").toLowerCase());
      }
      assertThat(names).contains("id", "name", "email_normalized");
      return names.contains(column);
    }
  }
}
