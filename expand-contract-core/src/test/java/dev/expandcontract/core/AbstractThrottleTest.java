package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.backfill.ThrottleState.Level;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.ThrottleSettings;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The backfill's throttle reads the database's health at the end of each batch: no pause when
 * nothing else runs on the database, {@code pause-between-batches} while the service is active, and
 * no batch at all at the critical level until the database is below it again. The service is a
 * session of its own running a long statement, seen the way the database shows it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractThrottleTest {

  private static final int ROWS = 500;
  private static final Duration PAUSE = Duration.ofMillis(40);

  private HikariDataSource dataSource;
  private String healthQuery;
  private Connection service;
  private long serviceSession;
  private CompletableFuture<Void> serviceStatement;

  protected abstract TestDatabase database();

  /** A statement that runs until cancelled (or for a minute). */
  protected abstract String longStatement();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("throttle_" + database().name().toLowerCase());
    healthQuery = DatabaseType.detect(dataSource).dialect().healthQuery();
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 11);
  }

  @AfterEach
  void stopTheService() throws Exception {
    if (service != null) {
      endServiceStatement();
    }
  }

  @Test
  void withNothingElseOnTheDatabaseBatchesFollowEachOtherWithoutAPause() throws Exception {
    Model model = Customers.emailModel(false, settings(ThrottleSettings.DEFAULTS));
    ExpandContract ec = instance(model, new CopyOnWriteArrayList<>());
    ec.control().startBackfill(model.id(), "test");

    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);

    ThrottleState throttle = ec.status(model.id()).throttle();
    assertThat(throttle.level()).isEqualTo(Level.FULL_SPEED);
    assertThat(throttle.reason()).contains("nothing else runs on the database");
    assertThat(ec.backfill().pauseBeforeNextBatch(model.id())).isEqualTo(Duration.ZERO);
  }

  @Test
  void whileTheServiceIsActiveBatchesPauseThePauseBetweenBatches() throws Exception {
    Model model = Customers.emailModel(false, settings(ThrottleSettings.DEFAULTS));
    ExpandContract ec = instance(model, new CopyOnWriteArrayList<>());
    ec.control().startBackfill(model.id(), "test");
    startServiceStatement();

    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);

    assertThat(ec.status(model.id()).throttle().level()).isEqualTo(Level.YIELDING);
    assertThat(ec.backfill().pauseBeforeNextBatch(model.id())).isEqualTo(PAUSE);
  }

  @Test
  void atTheCriticalLevelNoBatchRunsUntilTheDatabaseIsBelowItAgain() throws Exception {
    ThrottleSettings oneSessionIsCritical =
        new ThrottleSettings(
            1, 1, Duration.ofSeconds(5), 1, Duration.ofMillis(300), Duration.ofMillis(500));
    Model model = Customers.emailModel(false, settings(oneSessionIsCritical));
    List<ThrottleState> changes = new CopyOnWriteArrayList<>();
    ExpandContract ec = instance(model, changes);
    ec.control().startBackfill(model.id(), "test");
    startServiceStatement();

    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    long copied = ec.store().load(model.id()).orElseThrow().rowsDone();
    assertThat(ec.status(model.id()).throttle().level()).isEqualTo(Level.CRITICAL);
    assertThat(ec.status(model.id()).throttle().reason())
        .contains("other sessions active on the database (critical at 1)");
    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.THROTTLED);
    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.THROTTLED);
    assertThat(ec.store().load(model.id()).orElseThrow().rowsDone())
        .as("no batch runs at the critical level")
        .isEqualTo(copied);
    assertThat(ec.backfill().pauseBeforeNextBatch(model.id())).isEqualTo(Duration.ofMillis(300));

    endServiceStatement();
    Poll.until(Duration.ofSeconds(10), "the service's session is idle", () -> health()[0] == 0);

    assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
    assertThat(ec.store().load(model.id()).orElseThrow().rowsDone()).isGreaterThan(copied);
    assertThat(ec.status(model.id()).throttle().level()).isNotEqualTo(Level.CRITICAL);
    assertThat(changes.stream().map(ThrottleState::level).toList())
        .as("each change of level reported once")
        .startsWith(Level.CRITICAL, Level.YIELDING);
  }

  @Test
  void theHealthQueryCountsTheSessionsWaitingOnThisSessionsRowLocks() throws Exception {
    try (Connection holder = dataSource.getConnection();
        Connection waiter = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      TestSql.update(holder, "UPDATE customers SET name = name WHERE id = 1");
      CompletableFuture<Integer> blocked =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return TestSql.update(waiter, "UPDATE customers SET name = name WHERE id = 1");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      Poll.until(
          Duration.ofSeconds(30),
          "the second session waits on the first one's row lock",
          () -> {
            if (blocked.isDone()) {
              throw new AssertionError("the second session did not wait: " + blocked.join());
            }
            return health(holder)[1] == 1;
          });
      // Asked in a transaction of its own: PostgreSQL keeps one activity snapshot per transaction.
      assertThat(health()[0]).as("the waiting session is active").isGreaterThanOrEqualTo(1);
      holder.rollback();
      assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  /**
   * A lock wait between two sessions that are not the backfill: PostgreSQL tells whose locks are
   * waited on, and the batch is not cut. MariaDB counts waits only server-wide (see {@code
   * MySqlDialect.healthQuery}): it cuts, conservatively, and says so in the reason.
   */
  @Test
  void aLockWaitBetweenTwoOtherSessionsCutsTheBatchOnlyWhereWaitsAreCountedServerWide()
      throws Exception {
    try (Connection setup = dataSource.getConnection()) {
      TestSql.update(setup, "DROP TABLE IF EXISTS unrelated");
      TestSql.update(setup, "CREATE TABLE unrelated (id INT PRIMARY KEY, n INT)");
      TestSql.update(setup, "INSERT INTO unrelated VALUES (1, 0)");
    }
    Model model = Customers.emailModel(false, settings(ThrottleSettings.DEFAULTS));
    ExpandContract ec = instance(model, new CopyOnWriteArrayList<>());
    ec.control().startBackfill(model.id(), "test");
    int size = ec.store().load(model.id()).orElseThrow().batchSize();
    try (Connection holder = dataSource.getConnection();
        Connection waiter = dataSource.getConnection()) {
      holder.setAutoCommit(false);
      TestSql.update(holder, "UPDATE unrelated SET n = n + 1 WHERE id = 1");
      CompletableFuture<Integer> blocked =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return TestSql.update(waiter, "UPDATE unrelated SET n = n + 1 WHERE id = 1");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      Poll.until(
          Duration.ofSeconds(30),
          "the waiter waits on the holder's row lock",
          () -> {
            if (blocked.isDone()) {
              throw new AssertionError("the waiter did not wait: " + blocked.join());
            }
            try {
              return health()[0] >= 1 && waiting(holder);
            } catch (SQLException e) {
              throw new IllegalStateException(e);
            }
          });

      assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);

      ThrottleState throttle = ec.status(model.id()).throttle();
      int next = ec.store().load(model.id()).orElseThrow().batchSize();
      if (lockWaitsCountedServerWide()) {
        assertThat(throttle.reason()).contains("row locks of the server", "server-wide");
        assertThat(next).as("cut to half").isEqualTo(size / 2);
      } else {
        assertThat(throttle.reason())
            .as("nobody waited on the batch's row locks")
            .doesNotContain("waited on");
        assertThat(next).as("the next batch is not cut to half").isGreaterThan(size / 2);
      }
      holder.rollback();
      assertThat(blocked.get(10, TimeUnit.SECONDS)).isEqualTo(1);
    }
  }

  @Test
  void aPoolOfOneConnectionStillReadsTheHealth() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(dataSource.getJdbcUrl());
    config.setUsername(dataSource.getUsername());
    config.setPassword(dataSource.getPassword());
    config.setMaximumPoolSize(1);
    config.setConnectionTimeout(3000);
    try (HikariDataSource one = new HikariDataSource(config)) {
      Model model = Customers.emailModel(false, settings(ThrottleSettings.DEFAULTS));
      ExpandContract ec =
          ExpandContract.builder(one)
              .migration(model.migration())
              .instanceId("throttled")
              .soakTime(Duration.ZERO)
              .tablePrefix(Customers.STATE_PREFIX)
              .build();
      ec.control().startBackfill(model.id(), "test");

      long started = System.nanoTime();
      assertThat(ec.backfill().runBatch(model.id())).isEqualTo(BatchOutcome.COPIED);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      // The health probe asks the pool for a second connection while the batch holds the only
      // one (and its row locks): it waits the pool's timeout, then the batch runs without signals.
      ThrottleState throttle = ec.status(model.id()).throttle();
      assertThat(throttle.reason()).as("the throttle says why it decided").isNotNull();
      assertThat(throttle.level()).isEqualTo(Level.FULL_SPEED);
      assertThat(took)
          .as("the batch does not wait for a second connection")
          .isLessThan(Duration.ofMillis(2500));
    }
  }

  @Test
  void anotherWorkerOfThisBackfillIsNotTheServiceBeingActive() throws Exception {
    // Worker 1 stops inside its batch (after its copy, before the health query) until released;
    // meanwhile worker 0 runs a whole batch with nothing but the backfill on the database.
    CountDownLatch inFlight = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ThreadLocal<Boolean> worker1 = ThreadLocal.withInitial(() -> false);
    java.util.concurrent.atomic.AtomicBoolean armed =
        new java.util.concurrent.atomic.AtomicBoolean();
    DataSource stopping =
        proxy(
            DataSource.class,
            dataSource,
            (method, args, result) -> {
              if (method.getName().equals("getConnection")) {
                return proxy(
                    Connection.class,
                    result,
                    (m, a, r) -> {
                      return r;
                    },
                    (m, a) -> {
                      if (armed.get()
                          && worker1.get()
                          && m.getName().equals("prepareStatement")
                          && healthQuery.equals(a[0])) {
                        inFlight.countDown();
                        release.await(30, TimeUnit.SECONDS);
                      }
                    });
              }
              return result;
            },
            (m, a) -> {});
    Model model = Customers.emailModel(false, settings(ThrottleSettings.DEFAULTS));
    ExpandContract ec =
        ExpandContract.builder(stopping)
            .migration(model.migration())
            .instanceId("throttled")
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .backfillWorkers(2)
            .chunkRows(ROWS / 4)
            .build();
    ec.control().startBackfill(model.id(), "test");
    // A first batch, alone: the health query is probed, and nothing else runs.
    assertThat(ec.backfill().runBatch(model.id(), 0)).isEqualTo(BatchOutcome.COPIED);
    assertThat(ec.status(model.id()).throttle().level()).isEqualTo(Level.FULL_SPEED);
    armed.set(true);
    CompletableFuture<BatchOutcome> other =
        CompletableFuture.supplyAsync(
            () -> {
              worker1.set(true);
              try {
                return ec.backfill().runBatch(model.id(), 1);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    try {
      assertThat(inFlight.await(30, TimeUnit.SECONDS)).as("worker 1 is inside its batch").isTrue();

      assertThat(ec.backfill().runBatch(model.id(), 0)).isEqualTo(BatchOutcome.COPIED);

      assertThat(ec.status(model.id()).throttle().level())
          .as("only the backfill itself runs on the database")
          .isEqualTo(Level.FULL_SPEED);
    } finally {
      release.countDown();
      other.get(30, TimeUnit.SECONDS);
    }
  }

  interface After {
    Object apply(java.lang.reflect.Method method, Object[] args, Object result) throws Exception;
  }

  interface Before {
    void accept(java.lang.reflect.Method method, Object[] args) throws Exception;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Object target, After after, Before before) {
    return (T)
        java.lang.reflect.Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (p, method, args) -> {
              before.accept(method, args);
              Object result;
              try {
                result = method.invoke(target, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
              return after.apply(method, args, result);
            });
  }

  /** True where the health query counts row-lock waits of the whole server. */
  protected abstract boolean lockWaitsCountedServerWide();

  /** True when some session waits on a lock the holder holds (the database's own view). */
  protected abstract boolean waiting(Connection holder) throws SQLException;

  private BackfillSettings settings(ThrottleSettings throttle) {
    BackfillSettings small = Customers.smallBatches(50);
    return new BackfillSettings(
        small.batchSize(),
        small.minBatchSize(),
        small.maxBatchSize(),
        small.targetBatchTime(),
        PAUSE,
        small.lockTimeout(),
        small.statementTimeout(),
        small.maxRetries(),
        small.retryBackoff(),
        throttle);
  }

  private ExpandContract instance(Model model, List<ThrottleState> changes) {
    return ExpandContract.builder(dataSource)
        .migration(model.migration())
        .instanceId("throttled")
        .soakTime(Duration.ZERO)
        .tablePrefix(Customers.STATE_PREFIX)
        .listener(
            new ExpandContractListener() {
              @Override
              public void throttleChanged(String migrationId, ThrottleState state) {
                changes.add(state);
              }
            })
        .build();
  }

  /** Starts the service's long statement and waits until the database shows it running. */
  private void startServiceStatement() throws SQLException {
    service = dataSource.getConnection();
    serviceSession = sessionId(service);
    Statement statement = service.createStatement();
    serviceStatement =
        CompletableFuture.runAsync(
            () -> {
              try {
                statement.execute(longStatement());
              } catch (SQLException cancelled) {
                // ended by endServiceStatement
              }
            });
    Poll.until(Duration.ofSeconds(10), "the service's statement runs", () -> health()[0] >= 1);
    serviceStatement.whenComplete((ignored, error) -> closeQuietly(statement));
  }

  private void endServiceStatement() throws Exception {
    try (Connection killer = dataSource.getConnection();
        Statement cancel = killer.createStatement()) {
      cancel.execute(cancelStatement(serviceSession));
    }
    serviceStatement.get(10, TimeUnit.SECONDS);
    service.close();
    service = null;
  }

  /** Cancels the statement the session {@link #sessionId} named runs. */
  protected abstract String cancelStatement(long session);

  protected abstract long sessionId(Connection connection) throws SQLException;

  private int[] health() {
    try (Connection connection = dataSource.getConnection()) {
      return health(connection);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private int[] health(Connection connection) {
    try (Statement statement = connection.createStatement();
        var rs = statement.executeQuery(healthQuery)) {
      rs.next();
      return new int[] {rs.getInt(1), rs.getInt(2)};
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(Statement statement) {
    try {
      statement.close();
    } catch (SQLException ignored) {
      // the connection closes it too
    }
  }
}
