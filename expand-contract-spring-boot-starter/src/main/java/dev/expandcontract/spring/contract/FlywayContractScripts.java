package dev.expandcontract.spring.contract;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.ddl.DdlExecutors;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.GuardedDdlDataSource;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.spring.ddl.DdlTools;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.springframework.util.function.SingletonSupplier;

/**
 * Applies a migration's contract scripts ({@code db/contract/<id>} by default) with Flyway, in a
 * history table of their own, through a guard callback that refuses them unless the migration is in
 * CONTRACTING (the contract action moved it there). Each DDL statement runs through the core's
 * executors: it waits for its lock only briefly, inside the contract gate, and is retried with
 * jittered back-off, so it never queues the application's traffic behind a long transaction. A
 * statement without a directive runs with the executor configured for its migration, else the
 * default one.
 */
public final class FlywayContractScripts {

  private final DataSource dataSource;
  private final ExpandContract expandContract;
  private final String locationPattern;
  private final Supplier<DdlExecutors> executors;
  private final Supplier<Map<String, DdlExecutors>> migrationExecutors;

  public FlywayContractScripts(
      DataSource dataSource,
      ExpandContract expandContract,
      String locationPattern,
      Duration lockTimeout,
      int maxAttempts,
      ContractGate gate) {
    this(
        dataSource,
        expandContract,
        locationPattern,
        lockTimeout,
        maxAttempts,
        gate,
        DdlTools.DEFAULTS);
  }

  public FlywayContractScripts(
      DataSource dataSource,
      ExpandContract expandContract,
      String locationPattern,
      Duration lockTimeout,
      int maxAttempts,
      ContractGate gate,
      DdlTools tools) {
    this.dataSource = dataSource;
    this.expandContract = expandContract;
    this.locationPattern = locationPattern;
    DdlSettings settings =
        DdlSettings.DEFAULTS.withLockTimeout(lockTimeout).withMaxAttempts(maxAttempts);
    // Built on first use: they read the database's type and address, which start-up may not reach.
    this.executors = SingletonSupplier.of(() -> tools.executors(dataSource, settings, gate));
    Set<String> declared =
        expandContract.migrations().stream()
            .map(Migration::id)
            .collect(Collectors.toCollection(TreeSet::new));
    tools
        .migrationExecutors()
        .keySet()
        .forEach(
            id -> {
              if (!declared.contains(id)) {
                throw new IllegalStateException(
                    "expand-contract.ddl.migration-executors."
                        + id
                        + " names no declared migration; declared: "
                        + declared);
              }
            });
    this.migrationExecutors = SingletonSupplier.of(() -> perMigration(tools));
    if (expandContract.started()) {
      // Checked at start-up when the database answers: a contract is no moment to learn that an
      // executor cannot run here.
      executors.get();
      migrationExecutors.get();
    }
  }

  private Map<String, DdlExecutors> perMigration(DdlTools tools) {
    Map<String, DdlExecutors> perMigration = new HashMap<>();
    tools
        .migrationExecutors()
        .forEach(
            (id, executor) -> {
              try {
                perMigration.put(id, executors.get().withDefault(executor));
              } catch (IllegalArgumentException e) {
                throw new IllegalStateException(
                    "expand-contract.ddl.migration-executors."
                        + id
                        + "="
                        + executor
                        + ": "
                        + e.getMessage());
              }
            });
    return perMigration;
  }

  /** The DDL step the {@code contract} action runs once its guard passed. */
  public Runnable forMigration(String id) {
    return () -> apply(id);
  }

  void apply(String id) {
    String historyTable = expandContract.tablePrefix() + "ddl_" + id.replaceAll("[^a-z0-9]", "_");
    Flyway flyway =
        Flyway.configure()
            .dataSource(
                GuardedDdlDataSource.wrap(
                    dataSource,
                    migrationExecutors.get().getOrDefault(id, executors.get()),
                    historyTable))
            .locations(locationPattern.replace("{id}", id))
            .table(historyTable)
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
    try {
      flyway.migrate();
    } catch (FlywayException e) {
      if (e.getMessage() != null && e.getMessage().contains("refused")) {
        throw e;
      }
      flyway.repair(); // a DDL that failed on MySQL leaves a failed history row behind
      throw new IllegalStateException("contract DDL of '" + id + "' failed: " + e.getMessage(), e);
    }
  }

  /**
   * Refuses contract scripts unless the migration's shared state is CONTRACTING, where the contract
   * action puts it (out of reach of rollback) before its first DDL statement.
   */
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
      Phase phase = expandContract.storedState(id).phase();
      if (phase != Phase.CONTRACTING) {
        throw new FlywayException(
            "contract scripts of '" + id + "' refused: phase is " + phase + ", not CONTRACTING");
      }
    }

    @Override
    public String getCallbackName() {
      return "expand-contract phase guard for " + id;
    }
  }
}
