package dev.expandcontract.core;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.backfill.BackfillEngine;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.UnknownMigrationException;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.sql.MigrationSql;
import dev.expandcontract.core.sql.SchemaValidator;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.core.store.StateStore;
import dev.expandcontract.core.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * The library's entry point: validated migrations, their shared state, and the parts that act on
 * them. Build one per application with {@link #builder(DataSource)}; {@link #refresh()} it every
 * few seconds so that the request path reads state from memory and the fleet sees this instance.
 */
public final class ExpandContract {

  private final Map<String, MigrationSql> migrations;
  private final Map<String, MigratedRows> rows = new LinkedHashMap<>();
  private final Map<String, MigrationState> current = new ConcurrentHashMap<>();
  private final StateStore store;
  private final MigrationControl control;
  private final BackfillEngine backfill;
  private final FlagRouter router;
  private final String instanceId;
  private final Duration instanceTimeout;
  private final ExpandContractListener listener;
  private final SqlDialect dialect;

  private ExpandContract(Builder b, Map<String, MigrationSql> migrations, SqlDialect dialect) {
    this.migrations = migrations;
    this.instanceId = b.instanceId;
    this.instanceTimeout = b.instanceTimeout;
    this.store = new StateStore(b.dataSource, dialect, b.clock, b.tablePrefix);
    this.dialect = dialect;
    this.listener = ExpandContractListener.composite(List.of(new StateRefresher(), b.listener));
    Verifier verifier = new Verifier(b.dataSource, b.clock, b.verifyBatchSize, 20);
    this.control =
        new MigrationControl(
            b.dataSource, store, migrations, verifier, listener, b.soakTime, b.instanceTimeout);
    this.backfill =
        new BackfillEngine(b.dataSource, store, migrations, listener, instanceId, instanceTimeout);
    this.router = new FlagRouter(b.flags, listener);
    migrations.forEach((id, sql) -> rows.put(id, new MigratedRows(sql, listener)));
  }

  public static Builder builder(DataSource dataSource) {
    return new Builder(dataSource);
  }

  public MigrationControl control() {
    return control;
  }

  public BackfillEngine backfill() {
    return backfill;
  }

  public FlagRouter router() {
    return router;
  }

  public SqlDialect dialect() {
    return dialect;
  }

  /** Where the application's own events (routed reads, dual writes) are reported. */
  public ExpandContractListener listener() {
    return listener;
  }

  public StateStore store() {
    return store;
  }

  public String instanceId() {
    return instanceId;
  }

  public Collection<Migration> migrations() {
    return migrations.values().stream().map(MigrationSql::migration).toList();
  }

  public Migration migration(String id) {
    return sql(id).migration();
  }

  /** The application's row access for one migration. */
  public MigratedRows rows(String id) {
    sql(id);
    return rows.get(id);
  }

  /** The state this instance acts on, from memory: never a query on the request path. */
  public MigrationState state(String id) {
    MigrationState state = current.get(id);
    if (state == null) {
      throw new UnknownMigrationException(id);
    }
    return state;
  }

  /**
   * Records this instance's heartbeat, then re-reads every migration's state, re-applies the flags
   * whose state changed, and loads the flags into memory, reporting and repairing any that
   * contradict the state: the request path never reads the flag store. The heartbeat reports the
   * routing this instance applies for the state it adopted one refresh earlier: requests that
   * started before that adoption have had a full interval to finish, so a fleet-wide guard
   * (stop-old-writes, contract) never races a request still acting on an older state.
   */
  public void refresh() {
    current
        .values()
        .forEach(
            state -> {
              FlagRouter.Routing applied = router.routing(state);
              store.heartbeat(instanceId, state, applied.readPercent(), applied.writesOld());
            });
    for (MigrationState state : store.loadAll()) {
      if (migrations.containsKey(state.id())) {
        adopt(state);
      }
    }
    for (MigrationState state : current.values()) {
      try {
        router.refreshFlags(state);
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "cannot load the flags of '"
                + state.id()
                + "'; requests are routed by the state, which was refreshed",
            e);
      }
    }
  }

  /** Says goodbye on shutdown, so fleet-wide guards stop waiting for this instance. */
  public void leave() {
    store.leave(instanceId);
  }

  public MigrationStatus status(String id) {
    Migration migration = migration(id);
    MigrationState state = store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
    return MigrationStatus.of(
        migration.kind(),
        state,
        store.clock().instant(),
        store.transitions(id, 10),
        store.liveInstances(id, store.clock().instant().minus(instanceTimeout)));
  }

  /**
   * Status from the state this instance holds in memory, without transitions or instances: cheap
   * enough for metrics gauges and health checks.
   */
  public MigrationStatus progress(String id) {
    return MigrationStatus.of(
        migration(id).kind(), state(id), store.clock().instant(), List.of(), List.of());
  }

  public List<MigrationStatus> statuses() {
    return migrations.keySet().stream().map(this::status).toList();
  }

  private void adopt(MigrationState state) {
    MigrationState previous = current.put(state.id(), state);
    if (previous == null || previous.version() != state.version()) {
      router.apply(state);
    }
  }

  private MigrationSql sql(String id) {
    MigrationSql sql = migrations.get(id);
    if (sql == null) {
      throw new UnknownMigrationException(id);
    }
    return sql;
  }

  /** Adopts a transition this instance made at once, without waiting for the next refresh. */
  private final class StateRefresher implements ExpandContractListener {
    @Override
    public void phaseChanged(PhaseTransition transition) {
      store.load(transition.migrationId()).ifPresent(ExpandContract.this::adopt);
    }
  }

  /** Configures an {@link ExpandContract}; defaults suit production. */
  public static final class Builder {
    private final DataSource dataSource;
    private final List<Migration> declared = new ArrayList<>();
    private DatabaseType databaseType;
    private ExpandContractListener listener = ExpandContractListener.NO_OP;
    private MigrationFlags flags = new PhaseDrivenFlags();
    private Clock clock = Clock.systemUTC();
    private String instanceId = UUID.randomUUID().toString();
    private String tablePrefix = "expand_contract_";
    private Duration soakTime = Duration.ofMinutes(1);
    private Duration instanceTimeout = Duration.ofSeconds(30);
    private int verifyBatchSize = 5_000;

    private Builder(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    public Builder migration(Migration migration) {
      declared.add(migration);
      return this;
    }

    public Builder migrations(Collection<Migration> migrations) {
      declared.addAll(migrations);
      return this;
    }

    /** Overrides the database detected from the connection's metadata. */
    public Builder databaseType(DatabaseType type) {
      this.databaseType = type;
      return this;
    }

    public Builder listener(ExpandContractListener listener) {
      this.listener = Objects.requireNonNull(listener);
      return this;
    }

    public Builder flags(MigrationFlags flags) {
      this.flags = Objects.requireNonNull(flags);
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** Names this instance in heartbeats, claims and the transition history. */
    public Builder instanceId(String instanceId) {
      this.instanceId = Objects.requireNonNull(instanceId);
      return this;
    }

    public Builder tablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
      return this;
    }

    /** How long reads stay 100% new before writes to the old schema may stop. */
    public Builder soakTime(Duration soakTime) {
      this.soakTime = soakTime;
      return this;
    }

    /** An instance without a heartbeat for this long no longer counts as live. */
    public Builder instanceTimeout(Duration instanceTimeout) {
      this.instanceTimeout = instanceTimeout;
      return this;
    }

    public Builder verifyBatchSize(int rows) {
      this.verifyBatchSize = rows;
      return this;
    }

    /**
     * Validates every migration against the live schema (all failures in one exception, one line
     * each), creates the state tables if absent, and registers each migration.
     */
    public ExpandContract build() {
      DatabaseType type = databaseType != null ? databaseType : DatabaseType.detect(dataSource);
      SqlDialect dialect = type.dialect();
      Map<String, MigrationSql> validated = validate(dialect);
      ExpandContract expandContract = new ExpandContract(this, validated, dialect);
      expandContract.store.createTablesIfAbsent();
      for (MigrationSql sql : validated.values()) {
        Migration m = sql.migration();
        expandContract.adopt(expandContract.store.register(m.id(), m.backfill().batchSize()));
      }
      return expandContract;
    }

    private Map<String, MigrationSql> validate(SqlDialect dialect) {
      Map<String, MigrationSql> validated = new LinkedHashMap<>();
      List<String> problems = new ArrayList<>();
      SchemaValidator validator = new SchemaValidator(dialect);
      try (Connection connection = dataSource.getConnection()) {
        for (Migration migration : declared) {
          if (validated.containsKey(migration.id())) {
            problems.add("migration '" + migration.id() + "' is declared twice");
            continue;
          }
          try {
            validated.put(migration.id(), validator.validate(connection, migration));
          } catch (InvalidMigrationException e) {
            problems.add(e.getMessage());
          }
        }
      } catch (SQLException e) {
        throw new IllegalStateException("cannot connect to validate migrations", e);
      }
      if (!problems.isEmpty()) {
        throw new InvalidMigrationException(
            problems.size()
                + " invalid expand-contract migration(s):\n  - "
                + String.join("\n  - ", problems));
      }
      return validated;
    }
  }
}
