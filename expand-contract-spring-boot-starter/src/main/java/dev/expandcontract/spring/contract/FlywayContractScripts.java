package dev.expandcontract.spring.contract;

import dev.expandcontract.core.Backoff;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.SqlDialect;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Applies a migration's contract scripts ({@code db/contract/<id>} by default) with Flyway, in a
 * history table of their own, through a guard callback that refuses them unless the migration is in
 * NEW_ONLY. DDL waits for its lock only briefly and is retried with jittered back-off, so it never
 * queues the application's traffic behind a long transaction.
 */
public final class FlywayContractScripts {

  private static final Logger log = LoggerFactory.getLogger(FlywayContractScripts.class);
  private final DataSource dataSource;
  private final ExpandContract expandContract;
  private final String locationPattern;
  private final Duration lockTimeout;
  private final int maxAttempts;
  private final ContractGate gate;

  public FlywayContractScripts(
      DataSource dataSource,
      ExpandContract expandContract,
      String locationPattern,
      Duration lockTimeout,
      int maxAttempts,
      ContractGate gate) {
    this.dataSource = dataSource;
    this.expandContract = expandContract;
    this.locationPattern = locationPattern;
    this.lockTimeout = lockTimeout;
    this.maxAttempts = maxAttempts;
    this.gate = gate;
  }

  /** The DDL step the {@code contract} action runs once its guard passed. */
  public Runnable forMigration(String id) {
    return () -> apply(id);
  }

  void apply(String id) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(ddlConnections())
            .locations(locationPattern.replace("{id}", id))
            .table(expandContract.store().tablePrefix() + "ddl_" + id.replaceAll("[^a-z0-9]", "_"))
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .callbacks(new PhaseGuard(id))
            .load();
    boolean hasScripts =
        Arrays.stream(flyway.info().all())
            .map(MigrationInfo::getVersion)
            .anyMatch(v -> v != null && !v.getVersion().equals("0"));
    if (!hasScripts) {
      throw new IllegalStateException(
          "no contract scripts for '" + id + "' at " + locationPattern.replace("{id}", id));
    }
    FlywayException last = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        if (gate.runAlone(flyway::migrate, lockTimeout)) {
          return;
        }
        last =
            new FlywayException("this instance's transactions kept the table past " + lockTimeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while applying contract DDL of " + id, e);
      } catch (FlywayException e) {
        last = e;
        if (e.getMessage() != null && e.getMessage().contains("refused")) {
          throw e;
        }
        flyway.repair(); // a DDL that failed mid-way on MySQL leaves a failed history row
        Backoff.pause(Duration.ofMillis(100), attempt, Duration.ofSeconds(2), "contract DDL");
      }
    }
    throw new IllegalStateException(
        "contract DDL of '"
            + id
            + "' failed after "
            + maxAttempts
            + " attempts: "
            + last.getMessage(),
        last);
  }

  /**
   * The application's pool, each connection Flyway takes carrying the short DDL lock wait; the
   * setting is undone before the connection goes back to the pool, so the application's own
   * statements never inherit it.
   */
  private DataSource ddlConnections() {
    return new DelegatingDataSource(dataSource) {
      @Override
      public Connection getConnection() throws SQLException {
        return withDdlLockTimeout(super.getConnection());
      }

      @Override
      public Connection getConnection(String username, String password) throws SQLException {
        return withDdlLockTimeout(super.getConnection(username, password));
      }
    };
  }

  private Connection withDdlLockTimeout(Connection connection) throws SQLException {
    SqlDialect dialect = expandContract.dialect();
    try {
      execute(connection, dialect.ddlLockTimeout(lockTimeout));
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return (Connection)
        Proxy.newProxyInstance(
            FlywayContractScripts.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("close") && method.getParameterCount() == 0) {
                try {
                  resetDdlLockTimeout(connection, dialect);
                } finally {
                  connection.close();
                }
                return null;
              }
              try {
                return method.invoke(connection, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  private static void resetDdlLockTimeout(Connection connection, SqlDialect dialect) {
    try {
      if (connection.isClosed()) {
        return;
      }
      // On PostgreSQL a RESET inside a transaction that is rolled back later would be undone.
      boolean autoCommit = connection.getAutoCommit();
      if (!autoCommit) {
        connection.rollback();
      }
      execute(connection, dialect.resetDdlLockTimeout());
      if (!autoCommit) {
        connection.commit();
      }
    } catch (SQLException e) {
      log.warn("expand-contract: could not reset the DDL lock timeout of a pooled connection", e);
    }
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Refuses contract scripts unless the migration's shared state is NEW_ONLY. */
  private final class PhaseGuard implements Callback {
    private final String id;

    PhaseGuard(String id) {
      this.id = id;
    }

    @Override
    public boolean supports(Event event, Context context) {
      return event == Event.BEFORE_MIGRATE;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
      return true;
    }

    @Override
    public void handle(Event event, Context context) {
      Phase phase = expandContract.store().load(id).orElseThrow().phase();
      if (phase != Phase.NEW_ONLY) {
        throw new FlywayException(
            "contract scripts of '" + id + "' refused: phase is " + phase + ", not NEW_ONLY");
      }
    }

    @Override
    public String getCallbackName() {
      return "expand-contract phase guard for " + id;
    }
  }
}
