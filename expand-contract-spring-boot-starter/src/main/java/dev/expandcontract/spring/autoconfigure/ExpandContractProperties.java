package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.ddl.DdlExecutors;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.migration.ThrottleSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Configuration of expand-contract migrations, under {@code expand-contract}.
 *
 * @param enabled whether expand-contract is auto-configured
 * @param instanceId name of this instance in heartbeats, claims and transition history; defaults to
 *     host name and a random suffix
 * @param tablePrefix prefix of the library's own state tables
 * @param refreshInterval how often this instance re-reads the shared state and sends a heartbeat
 * @param instanceTimeout after how long without a heartbeat an instance no longer counts as live
 * @param soakTime how long reads must stay 100% new before writes to the old schema may stop
 * @param verifyBatchSize rows compared per verification statement
 * @param progressLogInterval least time between two progress lines of a running backfill (a line is
 *     also logged at its start, pause, resume and finish)
 * @param flags where the FF4j flags live and how long they are cached
 * @param shadowRead sampling of reads that compare old with new
 * @param backfill scheduling of backfill batches
 * @param contract how contract DDL is applied
 * @param endpoint access to the actuator endpoint when Spring Security is present
 * @param ddl how expand DDL runs, the online schema change tools, and the lint of pending scripts
 * @param console the operator console page
 * @param safetyNet database triggers that keep new in step for writers that bypass the application
 * @param jdbc how the library's own tables come to exist
 * @param migrations migrations declared in configuration, by id
 */
@ConfigurationProperties("expand-contract")
public record ExpandContractProperties(
    @DefaultValue("true") boolean enabled,
    String instanceId,
    @DefaultValue("expand_contract_") String tablePrefix,
    @DefaultValue("2s") Duration refreshInterval,
    @DefaultValue("30s") Duration instanceTimeout,
    @DefaultValue("1m") Duration soakTime,
    @DefaultValue("5000") int verifyBatchSize,
    @DefaultValue("10s") Duration progressLogInterval,
    @DefaultValue Flags flags,
    @DefaultValue ShadowRead shadowRead,
    @DefaultValue Backfill backfill,
    @DefaultValue Contract contract,
    @DefaultValue Endpoint endpoint,
    @DefaultValue Ddl ddl,
    @DefaultValue Console console,
    @DefaultValue SafetyNet safetyNet,
    @DefaultValue Jdbc jdbc,
    Map<String, MigrationProperties> migrations) {

  public ExpandContractProperties {
    migrations = migrations == null ? Map.of() : Map.copyOf(migrations);
    if (refreshInterval.multipliedBy(3).compareTo(instanceTimeout) > 0) {
      // An instance refuses writes after 2/3 of the timeout without a refresh: a few refreshes
      // must fit in it, or every instance would refuse its own writes.
      throw new IllegalArgumentException(
          "expand-contract.instance-timeout ("
              + instanceTimeout
              + ") must be at least 3 times expand-contract.refresh-interval ("
              + refreshInterval
              + ")");
    }
  }

  /**
   * @param initializeSchema when the library creates its own tables at start-up: {@code always}
   *     (the default), {@code embedded} (only on an embedded database) or {@code never} (they must
   *     exist: create them with the script {@code dev/expandcontract/core/store/schema.sql} shipped
   *     in expand-contract-core, written for the default table prefix)
   */
  public record Jdbc(@DefaultValue("always") DatabaseInitializationMode initializeSchema) {}

  /**
   * @param store where FF4j keeps the flags: {@code jdbc} (shared by every instance, in the
   *     application's database) or {@code in-memory} (tests, single instance)
   * @param cacheTtl how long an instance caches flags, so flag checks never hit the database
   */
  public record Flags(
      @DefaultValue("jdbc") FlagStore store, @DefaultValue("3s") Duration cacheTtl) {}

  /** Where the FF4j features are stored. */
  public enum FlagStore {
    JDBC,
    IN_MEMORY
  }

  /**
   * @param sampleRate share of eligible reads (0..1) that also compare old with new, off the
   *     request thread
   */
  public record ShadowRead(@DefaultValue("1.0") double sampleRate) {}

  /**
   * @param enabled whether each migration gets triggers on its old table, from start-backfill until
   *     stop-old-writes, that keep new equal to transform(old) for writers that bypass the
   *     application (scripts, other services); every write to the old table pays for them
   *     (BENCHMARKS.md). Set it alike on every instance: one started with it off removes the
   *     triggers. PostgreSQL and MySQL/MariaDB only
   */
  public record SafetyNet(@DefaultValue("false") boolean enabled) {}

  /**
   * @param enabled whether this instance runs backfill batches
   * @param pollInterval how often an idle instance looks for backfill work
   * @param workers backfill workers per migration in this instance, each copying a chunk of its own
   * @param claimLease how long a chunk's lease holds without a batch or a heartbeat renewing it: a
   *     dead instance's chunks are taken over this long after its last heartbeat; keep it a few
   *     refresh intervals
   * @param chunkRows rows per leased chunk of a backfill's key range
   */
  public record Backfill(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("1s") Duration pollInterval,
      @DefaultValue("1") int workers,
      @DefaultValue("10s") Duration claimLease,
      @DefaultValue("100000") int chunkRows) {}

  /**
   * @param locations Flyway location of each migration's contract scripts; {@code {id}} is the
   *     migration id
   * @param lockTimeout lock wait of contract DDL before it gives up and retries (MySQL/MariaDB
   *     count whole seconds: below one second the DDL does not wait at all, since a waiting DDL
   *     makes read-then-write transactions on its table deadlock victims)
   * @param maxAttempts attempts of the contract DDL, with jittered back-off up to 2 s between them,
   *     before the action fails and the phase stays NEW_ONLY
   */
  public record Contract(
      @DefaultValue("classpath:db/contract/{id}") String locations,
      @DefaultValue("500ms") Duration lockTimeout,
      @DefaultValue("20") int maxAttempts) {}

  /**
   * @param writeRole role required for POST actions when Spring Security is present; the endpoint
   *     checks it itself, whatever the application's filter chain lets through
   */
  public record Endpoint(@DefaultValue("EXPAND_CONTRACT_ADMIN") String writeRole) {}

  /**
   * @param enabled whether the operator console page is served; it needs the {@code expandcontract}
   *     endpoint exposed on the application's own port, and is shown only to the endpoint's write
   *     role when Spring Security is present
   * @param path where the page is served; defaults to {@code expandcontract-console} under the
   *     actuator base path ({@code /actuator/expandcontract-console})
   */
  public record Console(@DefaultValue("false") boolean enabled, String path) {}

  /**
   * @param guardFlyway whether the application's Flyway migrations (the expand scripts) run each
   *     DDL statement through the executors, with a short lock wait and retries
   * @param executor executor of a DDL statement without a {@code -- expand-contract: executor=...}
   *     directive: {@code native}, {@code pt-osc}, {@code gh-ost} or {@code pg-osc}
   * @param migrationExecutors executor of one migration's contract scripts, by migration id (e.g.
   *     {@code customer-email: pt-osc}): their statements without a directive run with it instead
   *     of {@code executor}; the application's own Flyway migrations (the expand scripts) belong to
   *     no single migration and choose by directive
   * @param lockTimeout lock wait of one DDL attempt in a Flyway migration before it gives up and
   *     retries (MySQL/MariaDB count whole seconds: below one second the DDL does not wait)
   * @param maxAttempts attempts of one DDL statement before the migration fails, naming the
   *     sessions that held the table
   * @param copyAllowed whether the native executor may run a MySQL/MariaDB ALTER that copies the
   *     table (writes blocked for the whole copy) when neither INSTANT nor INPLACE works
   * @param tools commands that start the online schema change tools
   * @param lint the check of pending Flyway scripts for DDL that locks or rewrites a big table
   */
  public record Ddl(
      @DefaultValue("true") boolean guardFlyway,
      @DefaultValue("native") String executor,
      Map<String, String> migrationExecutors,
      @DefaultValue("500ms") Duration lockTimeout,
      @DefaultValue("20") int maxAttempts,
      @DefaultValue("false") boolean copyAllowed,
      @DefaultValue Tools tools,
      @DefaultValue Lint lint) {

    public Ddl {
      migrationExecutors = migrationExecutors == null ? Map.of() : Map.copyOf(migrationExecutors);
      requireKnownExecutor("expand-contract.ddl.executor", executor);
      migrationExecutors.forEach(
          (id, name) ->
              requireKnownExecutor("expand-contract.ddl.migration-executors." + id, name));
    }

    private static void requireKnownExecutor(String property, String name) {
      if (!DdlExecutors.STANDARD_NAMES.contains(name)) {
        throw new IllegalArgumentException(
            property
                + " is '"
                + name
                + "', not a DDL executor; one of "
                + String.join(", ", DdlExecutors.STANDARD_NAMES));
      }
    }
  }

  /**
   * @param ptOnlineSchemaChange command of pt-online-schema-change (Debian: percona-toolkit)
   * @param ghOst command of gh-ost
   * @param pgOnlineSchemaChange command of pg-online-schema-change (the pg-osc gem)
   * @param pgRepack command of pg_repack (Debian: postgresql-NN-repack)
   */
  public record Tools(
      @DefaultValue("pt-online-schema-change") String ptOnlineSchemaChange,
      @DefaultValue("gh-ost") String ghOst,
      @DefaultValue("pg-online-schema-change") String pgOnlineSchemaChange,
      @DefaultValue("pg_repack") String pgRepack) {}

  /**
   * @param enabled whether pending Flyway scripts are checked before they run
   * @param failOnFindings whether a finding stops the migration (and the application) instead of
   *     being logged as a warning
   */
  public record Lint(
      @DefaultValue("true") boolean enabled, @DefaultValue("false") boolean failOnFindings) {}

  /**
   * One migration declared in configuration.
   *
   * @param kind {@code column} (same table) or {@code table} (old table to new table)
   * @param table the old table
   * @param key the old table's unique, orderable key column
   * @param newTable the new table (table migrations)
   * @param newKey the new table's key column; defaults to {@code key}
   * @param columns what each new column is computed from
   * @param batchSize rows per backfill batch at the start
   * @param minBatchSize lower bound of the adaptive batch size
   * @param maxBatchSize upper bound of the adaptive batch size
   * @param targetBatchTime batch duration the adaptive batch size aims for
   * @param pauseBetweenBatches breathing room for the application between batches
   * @param lockTimeout how long a batch waits for a row lock before it retries
   * @param statementTimeout upper bound of one batch statement
   * @param maxRetries failed attempts of a batch before the backfill pauses
   * @param retryBackoff base of the jittered exponential back-off between attempts
   * @param throttle when the backfill slows down for the database's health
   */
  public record MigrationProperties(
      MigrationKind kind,
      String table,
      String key,
      String newTable,
      String newKey,
      List<ColumnProperties> columns,
      Integer batchSize,
      Integer minBatchSize,
      Integer maxBatchSize,
      Duration targetBatchTime,
      Duration pauseBetweenBatches,
      Duration lockTimeout,
      Duration statementTimeout,
      Integer maxRetries,
      Duration retryBackoff,
      ThrottleProperties throttle) {

    /** Backfill settings: each unset property takes the core's default. */
    public BackfillSettings backfillSettings() {
      BackfillSettings d = BackfillSettings.DEFAULTS;
      int size = or(batchSize, d.batchSize());
      return new BackfillSettings(
          size,
          Math.min(size, or(minBatchSize, d.minBatchSize())),
          Math.max(size, or(maxBatchSize, d.maxBatchSize())),
          or(targetBatchTime, d.targetBatchTime()),
          or(pauseBetweenBatches, d.pauseBetweenBatches()),
          or(lockTimeout, d.lockTimeout()),
          or(statementTimeout, d.statementTimeout()),
          or(maxRetries, d.maxRetries()),
          or(retryBackoff, d.retryBackoff()),
          throttle == null ? d.throttle() : throttle.settings());
    }

    private static <T> T or(T value, T fallback) {
      return value != null ? value : fallback;
    }
  }

  /**
   * When a migration's backfill slows down for the database's health; each unset property takes the
   * core's default ({@code ThrottleSettings.DEFAULTS}).
   *
   * @param maxBlockedSessions sessions waiting on a batch's row locks at its end that cut the next
   *     batch to half
   * @param maxActiveSessions other active sessions on the database that make batches pause {@code
   *     throttled-pause}
   * @param maxCommitTime a batch's checkpoint and commit time that makes batches pause {@code
   *     throttled-pause}
   * @param criticalActiveSessions other active sessions at which no batch runs until fewer
   * @param throttledPause the pause between batches while throttled
   * @param fullSpeedBatchTime the batch duration aimed for while nothing else runs on the database
   */
  public record ThrottleProperties(
      Integer maxBlockedSessions,
      Integer maxActiveSessions,
      Duration maxCommitTime,
      Integer criticalActiveSessions,
      Duration throttledPause,
      Duration fullSpeedBatchTime) {

    ThrottleSettings settings() {
      ThrottleSettings d = ThrottleSettings.DEFAULTS;
      return new ThrottleSettings(
          MigrationProperties.or(maxBlockedSessions, d.maxBlockedSessions()),
          MigrationProperties.or(maxActiveSessions, d.maxActiveSessions()),
          MigrationProperties.or(maxCommitTime, d.maxCommitTime()),
          MigrationProperties.or(criticalActiveSessions, d.criticalActiveSessions()),
          MigrationProperties.or(throttledPause, d.throttledPause()),
          MigrationProperties.or(fullSpeedBatchTime, d.fullSpeedBatchTime()));
    }
  }

  /**
   * @param old the old column holding the attribute
   * @param newColumn the new column ({@code new} in YAML)
   * @param transform SQL over the old table's columns computing the new value; defaults to the old
   *     column
   * @param reverse SQL over the new columns recomputing the old value, for rollback after NEW_ONLY
   */
  public record ColumnProperties(
      String old,
      @org.springframework.boot.context.properties.bind.Name("new") String newColumn,
      String transform,
      String reverse) {}
}
