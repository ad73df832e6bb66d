package dev.expandcontract.core;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.backfill.BackfillEngine;
import dev.expandcontract.core.backfill.ChunkLeases;
import dev.expandcontract.core.backfill.ChunkProgress;
import dev.expandcontract.core.drift.SafetyNets;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.UnknownMigrationException;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.sql.MigrationSchema;
import dev.expandcontract.core.sql.MigrationSql;
import dev.expandcontract.core.sql.SchemaValidator;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.OldColumnTypes.OldColumn;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.core.store.StateStore;
import dev.expandcontract.core.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The library's entry point: validated migrations, their shared state, and the parts that act on
 * them. Build one per application with {@link #builder(DataSource)}; {@link #refresh()} it every
 * few seconds so that the request path reads state from memory and the fleet sees this instance.
 */
public final class ExpandContract {

  private static final Logger log = LoggerFactory.getLogger(ExpandContract.class);

  /** Prefix of the library's own tables unless {@link Builder#tablePrefix} says otherwise. */
  public static final String DEFAULT_TABLE_PREFIX = "expand_contract_";

  /** How long reads stay 100% new before writes to the old schema may stop, by default. */
  public static final Duration DEFAULT_SOAK_TIME = Duration.ofMinutes(1);

  /** After how long without a heartbeat an instance no longer counts as live, by default. */
  public static final Duration DEFAULT_INSTANCE_TIMEOUT = Duration.ofSeconds(30);

  /** Rows compared per verification statement, by default. */
  public static final int DEFAULT_VERIFY_BATCH_SIZE = 5_000;

  /** Backfill workers (threads) per instance, by default. */
  public static final int DEFAULT_BACKFILL_WORKERS = 1;

  /** How long a backfill chunk's lease lasts without a heartbeat, by default. */
  public static final Duration DEFAULT_CLAIM_LEASE = Duration.ofSeconds(10);

  /** Rows per leased backfill chunk, by default. */
  public static final int DEFAULT_CHUNK_ROWS = 20_000;

  /** Whether the safety net's triggers are used, by default: no, every old-table write pays. */
  public static final boolean DEFAULT_SAFETY_NET = false;

  private final Map<String, Migration> declared;
  private final List<Migration> declaredInOrder;
  // Validated against the live schema at start(), which waits for the database to answer.
  private final Map<String, MigrationSql> migrations = new ConcurrentHashMap<>();
  private final Map<String, MigratedRows> rows = new ConcurrentHashMap<>();
  private final Map<String, MigrationState> current = new ConcurrentHashMap<>();
  private final Map<String, RecentProgress> recent = new ConcurrentHashMap<>();
  private final StateStore store;
  private final MigrationControl control;
  private final BackfillEngine backfill;
  private final ChunkLeases leases;
  private final FlagRouter router;
  private final String instanceId;
  private final Duration instanceTimeout;
  private final ExpandContractListener listener;
  private final SqlDialect dialect;
  private final SafetyNets safetyNets;

  /** How long a flag write waits for another instance's; the next refresh retries. */
  private static final Duration FLAG_WRITE_LOCK_WAIT = Duration.ofSeconds(2);

  private final DatabaseType databaseType;
  private final DataSource dataSource;
  private final MigrationFlags flags;
  private final OperationObserver observer;
  private final boolean createStateTables;
  private volatile boolean started;
  private volatile String startFailure;
  private volatile String startError;
  private volatile String databaseProblem;
  private volatile long stateSeenAt;
  private volatile boolean left;

  private ExpandContract(Builder b, DatabaseType databaseType) {
    this.declaredInOrder = List.copyOf(b.declared);
    Map<String, Migration> byId = new LinkedHashMap<>();
    declaredInOrder.forEach(m -> byId.putIfAbsent(m.id(), m)); // a twin is reported at start()
    this.declared = byId;
    this.databaseType = databaseType;
    this.dialect = databaseType.dialect();
    this.dataSource = b.dataSource;
    this.flags = b.flags;
    this.observer = b.observer;
    this.createStateTables = b.createStateTables;
    this.instanceId = b.instanceId;
    this.instanceTimeout = b.instanceTimeout;
    this.store = new StateStore(b.dataSource, dialect, b.clock, b.tablePrefix);
    this.safetyNets = new SafetyNets(b.dataSource, store, dialect, b.safetyNet);
    this.listener =
        ExpandContractListener.composite(List.of(new StateRefresher(), safetyNets, b.listener));
    Verifier verifier = new Verifier(b.dataSource, b.clock, b.verifyBatchSize, 20);
    this.control =
        new MigrationControl(
            b.dataSource,
            store,
            this::sql,
            verifier,
            listener,
            b.observer,
            b.soakTime,
            b.instanceTimeout,
            safetyNets);
    this.leases =
        new ChunkLeases(
            store.chunks(), b.clock, instanceId, b.backfillWorkers, b.claimLease, b.chunkRows);
    this.backfill =
        new BackfillEngine(
            b.dataSource,
            store,
            leases,
            this::sql,
            listener,
            b.observer,
            instanceId,
            instanceTimeout);
    this.router =
        new FlagRouter(
            b.flags, listener, (id, write) -> store.whileLocked(id, FLAG_WRITE_LOCK_WAIT, write));
    declared.keySet().forEach(id -> recent.put(id, new RecentProgress()));
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

  /** Backfill workers this instance runs per migration. */
  public int backfillWorkers() {
    return leases.workers();
  }

  public FlagRouter router() {
    return router;
  }

  public SqlDialect dialect() {
    return dialect;
  }

  /** The triggers that keep new in step for writers that bypass the application, when on. */
  public SafetyNets safetyNets() {
    return safetyNets;
  }

  public DatabaseType databaseType() {
    return databaseType;
  }

  /**
   * Whether the migrations were validated against the live schema and their state read. False while
   * the database has not answered since start-up (the next {@link #refresh()} tries again), and for
   * good once it found a migration invalid ({@link #startFailure()}).
   */
  public boolean started() {
    return started;
  }

  /** Why the migrations could not start although the database answered (they are invalid). */
  public Optional<String> startFailure() {
    return Optional.ofNullable(startFailure);
  }

  /** Since when and why the database cannot be reached, until a refresh reaches it again. */
  public Optional<String> databaseProblem() {
    return Optional.ofNullable(databaseProblem);
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

  /** The declared migrations, known before the database answers. */
  public Collection<Migration> migrations() {
    return List.copyOf(declared.values());
  }

  public Migration migration(String id) {
    Migration migration = declared.get(id);
    if (migration == null) {
      throw new UnknownMigrationException(id);
    }
    return migration;
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
      throw notStarted(migration(id).id());
    }
    return state;
  }

  /** Before start(): there is no state to route by, so nothing reads or writes migrated values. */
  private StaleStateException notStarted(String id) {
    return new StaleStateException(
        id,
        "instance "
            + instanceId
            + " has not read the state of migration '"
            + id
            + "' since it started, so it neither reads nor writes its values: "
            + unknownReason());
  }

  private String unknownReason() {
    if (startFailure != null) {
      return startFailure;
    }
    if (databaseProblem != null) {
      return databaseProblem;
    }
    return startError != null
        ? "state unknown: the start failed (the next refresh tries again): " + startError
        : "state unknown: not read since start-up yet (the next refresh reads it)";
  }

  /**
   * The state a write to the migration acts on, from memory, unless this instance may be stale:
   * once it has not seen the shared state for two thirds of {@code instance-timeout}, the fleet is
   * about to stop counting it, and may move on (stop old writes, re-sync, contract) without it. So
   * its writes stop before that, and resume at the first refresh that succeeds.
   *
   * @throws StaleStateException when this instance may be acting on a state the fleet has left
   */
  public MigrationState writableState(String id) {
    MigrationState state = state(id);
    if (left) {
      throw new StaleStateException(
          id,
          "instance "
              + instanceId
              + " has left the expand-contract fleet (shutting down); writes to migration '"
              + id
              + "' are refused");
    }
    Duration unseen = Duration.ofMillis(store.clock().millis() - stateSeenAt);
    if (unseen.compareTo(staleAfter()) > 0) {
      throw new StaleStateException(
          id,
          "instance "
              + instanceId
              + " has not seen the shared expand-contract state for "
              + unseen.toSeconds()
              + "s (writes stop after "
              + staleAfter().toSeconds()
              + "s, before the fleet stops counting an instance at instance-timeout "
              + instanceTimeout.toSeconds()
              + "s); writes to migration '"
              + id
              + "' are refused until a refresh succeeds"
              + (databaseProblem == null ? "" : ": " + databaseProblem));
    }
    return state;
  }

  private Duration staleAfter() {
    return instanceTimeout.multipliedBy(2).dividedBy(3);
  }

  /**
   * Records this instance's heartbeat, then re-reads every migration's state, re-applies the flags
   * whose state changed, and loads the flags into memory, reporting and repairing any that
   * contradict the state: the request path never reads the flag store. The heartbeat reports the
   * routing this instance applies for the state it adopted one refresh earlier: requests that
   * started before that adoption have had a full interval to finish, so a fleet-wide guard
   * (stop-old-writes, contract) never races a request still acting on an older state. The heartbeat
   * also renews this instance's chunk leases, so they run out soon after it died. Until the
   * migrations started (the database was unreachable when this instance was built), it first tries
   * to start them.
   */
  public void refresh() {
    if (!started) {
      start();
    }
    long begun = store.clock().millis();
    try {
      current
          .values()
          .forEach(
              state -> {
                FlagRouter.Routing applied = router.routing(state);
                store.heartbeat(instanceId, state, applied.readPercent(), applied.writesOld());
              });
      leases.renew();
      for (MigrationState state : store.loadAll()) {
        if (migrations.containsKey(state.id())) {
          adopt(state);
        }
      }
      stateSeenAt = begun;
      databaseProblem = null;
    } catch (IllegalStateException e) {
      noteIfUnreachable(e.getCause());
      throw e;
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

  /**
   * Remembers that the database cannot be reached (since the first failure), for status and health;
   * the next successful refresh clears it.
   */
  private boolean noteIfUnreachable(Throwable error) {
    if (!(error instanceof SQLException sql) || !dialect.isConnectionFailure(sql)) {
      return false;
    }
    if (databaseProblem == null) {
      databaseProblem =
          "state unknown: the database is unreachable since "
              + store.clock().instant()
              + " ("
              + sql.getMessage()
              + "); showing the state last seen";
    }
    return true;
  }

  /**
   * Says goodbye on shutdown, so fleet-wide guards stop waiting for this instance; it writes no
   * migrated entity after this. Call it once the application stopped serving.
   */
  public void leave() {
    left = true;
    store.leave(instanceId);
  }

  /**
   * Status from the database; while it cannot be reached, the state last seen, marked as unknown in
   * {@code lastError}; before the migrations started, no state (phase null) and why.
   */
  public MigrationStatus status(String id) {
    Migration migration = migration(id);
    if (!started) {
      return progress(id);
    }
    MigrationState state;
    try {
      state = store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
    } catch (IllegalStateException e) {
      if (noteIfUnreachable(e.getCause())) {
        return progress(id);
      }
      throw e;
    }
    return MigrationStatus.of(
        migration.kind(),
        state,
        store.clock().instant(),
        recent.get(id),
        false,
        store.transitions(id, 10),
        store.liveInstances(id, store.clock().instant().minus(instanceTimeout)),
        store.poison().count(id),
        leases.progress(id, state.backfillRunning()).waitingFor(backfill.resyncWaitingFor(state)));
  }

  /**
   * Status from the state this instance holds in memory, without transitions, instances, chunks or
   * poison rows: cheap enough for metrics gauges and health checks. Before the migrations started,
   * no state (phase null) and why in {@code lastError}.
   */
  public MigrationStatus progress(String id) {
    Migration migration = migration(id);
    if (!current.containsKey(id)) {
      return MigrationStatus.unknown(
          id, migration.kind(), migration.backfill().batchSize(), unknownReason());
    }
    MigrationStatus status =
        MigrationStatus.of(
            migration.kind(),
            state(id),
            store.clock().instant(),
            recent.get(id),
            true,
            List.of(),
            List.of(),
            0,
            ChunkProgress.NONE);
    String problem = databaseProblem;
    return problem == null ? status : status.withLastError(problem);
  }

  public List<MigrationStatus> statuses() {
    return declared.keySet().stream().map(this::status).toList();
  }

  private void adopt(MigrationState state) {
    MigrationState previous = current.put(state.id(), state);
    recent.get(state.id()).adopted();
    if (previous == null || previous.version() != state.version()) {
      router.apply(state);
    }
  }

  /** A declared migration's statements, once started. */
  private MigrationSql sql(String id) {
    MigrationSql sql = migrations.get(id);
    if (sql == null) {
      throw notStarted(migration(id).id());
    }
    return sql;
  }

  /**
   * Validates every migration against the live schema (all failures in one exception, one line
   * each), creates the state and flag tables if absent, registers each migration and adopts its
   * state. While the database cannot be reached it throws and leaves everything to the next call;
   * once it found a migration invalid it keeps failing with that reason, since only a new release
   * can fix the declaration or the schema.
   */
  private synchronized void start() {
    if (started) {
      return;
    }
    if (startFailure != null) {
      throw new InvalidMigrationException(startFailure);
    }
    long begun = store.clock().millis();
    Map<String, MigrationSql> validated;
    try {
      validated = validate(storedPhases());
      requireStateTables();
      flags.createStoreIfAbsent();
      List<MigrationState> registered = new ArrayList<>();
      for (MigrationSql sql : validated.values()) {
        Migration m = sql.migration();
        registered.add(store.register(m.id(), m.backfill().batchSize()));
        MigrationSchema schema = sql.schema();
        if (!schema.oldColumnTypes().isEmpty()) {
          List<OldColumn> columns = new ArrayList<>();
          for (int i = 0; i < schema.oldColumns().size(); i++) {
            columns.add(new OldColumn(schema.oldColumns().get(i), schema.oldColumnTypes().get(i)));
          }
          store.oldColumnTypes().remember(m.id(), columns);
        }
      }
      validated.forEach((id, sql) -> rows.put(id, new MigratedRows(sql, listener, observer)));
      migrations.putAll(validated);
      safetyNets.register(validated);
      registered.forEach(this::adopt);
    } catch (InvalidMigrationException e) {
      startFailure = e.getMessage();
      if (databaseProblem != null) { // a deferred start: no build() is there to fail
        log.error(
            "expand-contract: the database answered, and nothing migrated is read or written: {}",
            startFailure);
        databaseProblem = null; // it answered
      }
      throw e;
    } catch (IllegalStateException e) {
      if (!noteIfUnreachable(e.getCause())) {
        startError =
            e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage());
      }
      throw e;
    }
    stateSeenAt = begun;
    databaseProblem = null;
    startError = null;
    started = true;
    for (String id : validated.keySet()) {
      try {
        safetyNets.follow(state(id));
      } catch (RuntimeException e) {
        // Start-up goes on: the net is a safety measure, and GET shows it absent.
        log.warn("expand-contract: safety net of '{}' not in line with its phase", id, e);
      }
    }
    validated.keySet().stream()
        .filter(id -> state(id).phase() == Phase.CONTRACTED)
        .forEach(id -> log.info(removableDeclaration(validated.get(id))));
  }

  /** Creates the library's missing tables, or (when it may not) names them and the script. */
  private void requireStateTables() {
    if (createStateTables) {
      store.createTablesIfAbsent();
      return;
    }
    List<String> missing = store.missingTables();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "expand-contract: tables "
              + missing
              + " do not exist, and creating them is turned off: create them first with the"
              + " script "
              + StateStore.SCHEMA_SCRIPT
              + " shipped in expand-contract-core (written for table prefix expand_contract_)");
    }
  }

  /**
   * The phase each migration had when this instance started, from the state table; empty on a
   * database that has none yet (nothing has run).
   */
  private Map<String, Phase> storedPhases() {
    Map<String, Phase> phases = new LinkedHashMap<>();
    if (store.stateTableExists()) {
      // The tables a newer release of the library added, before anything reads them.
      requireStateTables();
      store.loadAll().forEach(state -> phases.put(state.id(), state.phase()));
    }
    return phases;
  }

  /** Validates a contracted migration with the old columns recorded while they existed. */
  private MigrationSql validateContracted(
      SchemaValidator validator, Connection connection, Migration migration) {
    List<OldColumn> recorded = store.oldColumnTypes().recalled(migration.id());
    return validator.validateContracted(
        connection,
        migration,
        recorded.stream().map(OldColumn::name).toList(),
        recorded.stream().map(OldColumn::type).toList());
  }

  private static String removableDeclaration(MigrationSql sql) {
    Migration m = sql.migration();
    return "expand-contract: migration '"
        + m.id()
        + "' is CONTRACTED: its declaration can now be removed in the next release (map "
        + sql.schema().newTable()
        + "."
        + String.join(", ", sql.schema().newColumns())
        + " directly instead of the @Transient @Migrated fields, drop any @RoutedQuery twin;"
        + " README: 'The cleanup release')";
  }

  private Map<String, MigrationSql> validate(Map<String, Phase> stored) {
    Map<String, MigrationSql> validated = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    SchemaValidator validator = new SchemaValidator(dialect);
    try (Connection connection = dataSource.getConnection()) {
      for (Migration migration : declaredInOrder) {
        if (validated.containsKey(migration.id())) {
          problems.add("migration '" + migration.id() + "' is declared twice");
          continue;
        }
        try {
          Phase phase = stored.get(migration.id());
          // After the contract began the old schema may be gone: judge it by the new one alone.
          validated.put(
              migration.id(),
              phase != null && phase.oldSchemaMayBeGone()
                  ? validateContracted(validator, connection, migration)
                  : validator.validate(connection, migration));
        } catch (InvalidMigrationException e) {
          problems.add(e.getMessage());
        }
      }
      if (!problems.isEmpty() && !connection.isValid(5)) {
        // The schema could not be read to the end: not a verdict on the migrations.
        throw new SQLNonTransientConnectionException(
            "the connection broke while validating the migrations", "08006");
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

  /**
   * Adopts a transition this instance made at once, without waiting for the next refresh, follows
   * this instance's batches for progress figures that move at every batch, and notes a backfill
   * that found the database unreachable.
   */
  private final class StateRefresher implements ExpandContractListener {
    @Override
    public void databaseUnavailable(String migrationId, Throwable error) {
      noteIfUnreachable(error);
    }

    @Override
    public void phaseChanged(PhaseTransition transition) {
      store
          .load(transition.migrationId())
          .ifPresent(
              state -> {
                boolean newRun =
                    transition.from() != transition.to()
                        && (transition.to() == Phase.BACKFILLING
                            || transition.to() == Phase.EXPANDED
                            || state.resyncOld());
                if (newRun) {
                  recent.get(state.id()).reset(state.resyncOld());
                }
                adopt(state);
              });
    }

    @Override
    public void batchCompleted(BatchCompleted batch) {
      RecentProgress progress = recent.get(batch.migrationId());
      if (progress != null) {
        progress.batchCompleted(batch, store.clock().millis());
      }
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
    private String tablePrefix = DEFAULT_TABLE_PREFIX;
    private Duration soakTime = DEFAULT_SOAK_TIME;
    private Duration instanceTimeout = DEFAULT_INSTANCE_TIMEOUT;
    private boolean createStateTables = true;
    private OperationObserver observer = OperationObserver.NONE;
    private int verifyBatchSize = DEFAULT_VERIFY_BATCH_SIZE;
    private int backfillWorkers = DEFAULT_BACKFILL_WORKERS;
    private Duration claimLease = DEFAULT_CLAIM_LEASE;
    private int chunkRows = DEFAULT_CHUNK_ROWS;
    private boolean safetyNet = DEFAULT_SAFETY_NET;

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

    /** Backfill workers per migration in this instance, each copying a chunk of its own. */
    public Builder backfillWorkers(int workers) {
      this.backfillWorkers = workers;
      return this;
    }

    /**
     * How long a chunk's lease holds without a batch or a heartbeat renewing it: a dead instance's
     * chunks are taken over this long after its last renewal. Keep it a few refresh intervals.
     */
    public Builder claimLease(Duration lease) {
      this.claimLease = Objects.requireNonNull(lease);
      return this;
    }

    /** Observes batches, verifications, dual writes and contracts while they run. */
    public Builder observer(OperationObserver observer) {
      this.observer = observer;
      return this;
    }

    /**
     * Whether the library creates its own tables when they are missing (the default); without it
     * they must exist, created beforehand with the script {@link StateStore#SCHEMA_SCRIPT} shipped
     * in this jar, e.g. by a user allowed to create tables.
     */
    public Builder createStateTables(boolean create) {
      this.createStateTables = create;
      return this;
    }

    /** Rows per leased chunk of a backfill's key range. */
    public Builder chunkRows(int rows) {
      this.chunkRows = rows;
      return this;
    }

    /**
     * Whether each migration gets database triggers that keep new in step with old for writers that
     * bypass the application, from the start of its backfill until writes to old stop (off by
     * default: every write to the old table pays for them). Set it alike on every instance: one
     * with the net off removes it at start-up. PostgreSQL and MySQL/MariaDB only.
     */
    public Builder safetyNet(boolean enabled) {
      this.safetyNet = enabled;
      return this;
    }

    /**
     * Validates every migration against the live schema (all failures in one exception, one line
     * each), creates the state tables if absent, and registers each migration. A database that
     * cannot be reached does not fail it when the {@link #databaseType} is given: the instance then
     * holds no state (status unknown, migrated values neither read nor written) and starts at the
     * first {@link ExpandContract#refresh()} that reaches the database.
     *
     * @throws InvalidMigrationException when the database answers and a migration does not fit it
     */
    public ExpandContract build() {
      ExpandContract expandContract = new ExpandContract(this, databaseType());
      try {
        expandContract.start();
      } catch (IllegalStateException e) {
        if (expandContract.databaseProblem == null) {
          throw e;
        }
        log.warn(
            "expand-contract: {}; the migrations start once a refresh reaches the database",
            expandContract.databaseProblem);
      }
      return expandContract;
    }

    private DatabaseType databaseType() {
      if (databaseType != null) {
        return databaseType;
      }
      try {
        return DatabaseType.detect(dataSource);
      } catch (IllegalStateException e) {
        if (e.getCause() instanceof SQLException) {
          throw new IllegalStateException(
              "cannot reach the database to tell its type; give the database type to start"
                  + " while the database is unreachable",
              e);
        }
        throw e;
      }
    }
  }
}
