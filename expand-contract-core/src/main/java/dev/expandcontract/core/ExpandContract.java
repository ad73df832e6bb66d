package dev.expandcontract.core;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.backfill.BackfillEngine;
import dev.expandcontract.core.backfill.ChunkLeases;
import dev.expandcontract.core.ddl.PgRepackCompaction;
import dev.expandcontract.core.drift.SafetyNets;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.UnknownMigrationException;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.verify.Verifier;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The library's entry point: validated migrations, their shared state, and the parts that act on
 * them. Build one per application with {@link #builder(DataSource)}; {@link #refresh()} it every
 * few seconds so that the request path reads state from memory and the fleet sees this instance.
 */
public final class ExpandContract {

  /**
   * Prefix of the library's own tables unless {@link ExpandContractBuilder#tablePrefix} says
   * otherwise.
   */
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

  /**
   * Rows per leased backfill chunk, by default: as many as the largest batch, since a batch never
   * crosses its chunk's end (20,000 kept batches at a third of their size at full speed).
   */
  public static final int DEFAULT_CHUNK_ROWS = 100_000;

  /** Whether the safety net's triggers are used, by default: no, every old-table write pays. */
  public static final boolean DEFAULT_SAFETY_NET = false;

  private final Map<String, Migration> declared;
  private final StateStore store;
  private final MigrationControl control;
  private final BackfillEngine backfill;
  private final ChunkLeases leases;
  private final FlagRouter router;
  private final String instanceId;
  private final ExpandContractListener listener;
  private final SqlDialect dialect;
  private final SafetyNets safetyNets;
  private final DatabaseType databaseType;
  private final AdoptedStates states;
  private final MigrationStartup startup;
  private final MigrationStatuses statuses;

  /** How long a flag write waits for another instance's; the next refresh retries. */
  private static final Duration FLAG_WRITE_LOCK_WAIT = Duration.ofSeconds(2);

  ExpandContract(ExpandContractBuilder b, DatabaseType databaseType) {
    List<Migration> declaredInOrder = List.copyOf(b.declared);
    Map<String, Migration> byId = new LinkedHashMap<>();
    declaredInOrder.forEach(m -> byId.putIfAbsent(m.id(), m)); // a twin is reported at start()
    this.declared = byId;
    this.databaseType = databaseType;
    this.dialect = databaseType.dialect();
    this.instanceId = b.instanceId;
    this.store = new StateStore(b.dataSource, dialect, b.clock, b.tablePrefix);
    this.safetyNets = new SafetyNets(b.dataSource, store, dialect, b.safetyNet);
    // The router reports overridden flags, which the adopted states do not follow.
    this.router =
        new FlagRouter(
            b.flags,
            ExpandContractListener.composite(List.of(safetyNets, b.listener)),
            (id, write) -> store.whileLocked(id, FLAG_WRITE_LOCK_WAIT, write));
    this.leases =
        new ChunkLeases(
            store.chunks(), b.clock, instanceId, b.backfillWorkers, b.claimLease, b.chunkRows);
    this.states =
        new AdoptedStates(
            declared.keySet(), store, router, leases, dialect, instanceId, b.instanceTimeout);
    this.listener =
        ExpandContractListener.composite(List.of(states.refresher(), safetyNets, b.listener));
    this.startup =
        new MigrationStartup(
            declaredInOrder,
            b.dataSource,
            dialect,
            store,
            b.flags,
            b.createStateTables,
            safetyNets,
            states,
            listener,
            b.observer,
            instanceId);
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
    this.backfill =
        new BackfillEngine(
            b.dataSource,
            store,
            leases,
            this::sql,
            listener,
            b.observer,
            instanceId,
            b.instanceTimeout);
    this.statuses =
        new MigrationStatuses(store, states, startup, leases, backfill, control, b.instanceTimeout);
  }

  public static ExpandContractBuilder builder(DataSource dataSource) {
    return new ExpandContractBuilder(dataSource);
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
    return startup.started();
  }

  /** Why the migrations could not start although the database answered (they are invalid). */
  public Optional<String> startFailure() {
    return startup.startFailure();
  }

  /** Since when and why the database cannot be reached, until a refresh reaches it again. */
  public Optional<String> databaseProblem() {
    return states.databaseProblem();
  }

  /** Where the application's own events (routed reads, dual writes) are reported. */
  public ExpandContractListener listener() {
    return listener;
  }

  /** Not API: the library's state tables, for its own modules and tests ({@code core.internal}). */
  public StateStore store() {
    return store;
  }

  /**
   * The state of the migration as stored now: a query, where {@link #state} answers from memory.
   */
  public MigrationState storedState(String id) {
    migration(id);
    return store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
  }

  /** Prefix of the library's own tables. */
  public String tablePrefix() {
    return store.tablePrefix();
  }

  /** The {@code compact} action of this instance's migrations, run by {@code repack}. */
  public MigrationCompaction compaction(PgRepackCompaction repack) {
    return new MigrationCompaction(store, this::migration, repack);
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
    return startup.rows(id);
  }

  /** The state this instance acts on, from memory: never a query on the request path. */
  public MigrationState state(String id) {
    return states.held(id).orElseThrow(() -> startup.notStarted(migration(id).id()));
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
    states.requireFresh(id);
    return state;
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
    if (!startup.started()) {
      startup.start();
    }
    states.refresh(id -> startup.sql(id).isPresent());
  }

  /**
   * Says goodbye on shutdown, so fleet-wide guards stop waiting for this instance; it writes no
   * migrated entity after this. Call it once the application stopped serving.
   */
  public void leave() {
    states.leave();
    store.instances().leave(instanceId);
  }

  /**
   * Status from the database; while it cannot be reached, the state last seen, marked as unknown in
   * {@code lastError}; before the migrations started, no state (phase null) and why.
   */
  public MigrationStatus status(String id) {
    return statuses.status(migration(id));
  }

  /**
   * Status from the state this instance holds in memory, without transitions, instances, chunks or
   * poison rows: cheap enough for metrics gauges and health checks. Before the migrations started,
   * no state (phase null) and why in {@code lastError}.
   */
  public MigrationStatus progress(String id) {
    return statuses.progress(migration(id));
  }

  public List<MigrationStatus> statuses() {
    return declared.keySet().stream().map(this::status).toList();
  }

  /** Starts the migrations now, as {@link ExpandContractBuilder#build()} does. */
  void start() {
    startup.start();
  }

  /** A declared migration's statements, once started. */
  private MigrationSql sql(String id) {
    return startup.sql(id).orElseThrow(() -> startup.notStarted(migration(id).id()));
  }
}
