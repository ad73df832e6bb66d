package dev.expandcontract.core;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.sql.DatabaseType;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configures an {@link ExpandContract}, from {@link ExpandContract#builder}; defaults suit
 * production.
 */
public final class ExpandContractBuilder {

  private static final Logger log = LoggerFactory.getLogger(ExpandContract.class);

  final DataSource dataSource;
  final List<Migration> declared = new ArrayList<>();
  DatabaseType databaseType;
  ExpandContractListener listener = ExpandContractListener.NO_OP;
  MigrationFlags flags = new PhaseDrivenFlags();
  Clock clock = Clock.systemUTC();
  String instanceId = UUID.randomUUID().toString();
  String tablePrefix = ExpandContract.DEFAULT_TABLE_PREFIX;
  Duration soakTime = ExpandContract.DEFAULT_SOAK_TIME;
  Duration instanceTimeout = ExpandContract.DEFAULT_INSTANCE_TIMEOUT;
  boolean createStateTables = true;
  OperationObserver observer = OperationObserver.NONE;
  int verifyBatchSize = ExpandContract.DEFAULT_VERIFY_BATCH_SIZE;
  int backfillWorkers = ExpandContract.DEFAULT_BACKFILL_WORKERS;
  Duration claimLease = ExpandContract.DEFAULT_CLAIM_LEASE;
  int chunkRows = ExpandContract.DEFAULT_CHUNK_ROWS;
  boolean safetyNet = ExpandContract.DEFAULT_SAFETY_NET;

  ExpandContractBuilder(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  public ExpandContractBuilder migration(Migration migration) {
    declared.add(migration);
    return this;
  }

  public ExpandContractBuilder migrations(Collection<Migration> migrations) {
    declared.addAll(migrations);
    return this;
  }

  /** Overrides the database detected from the connection's metadata. */
  public ExpandContractBuilder databaseType(DatabaseType type) {
    this.databaseType = type;
    return this;
  }

  public ExpandContractBuilder listener(ExpandContractListener listener) {
    this.listener = Objects.requireNonNull(listener);
    return this;
  }

  public ExpandContractBuilder flags(MigrationFlags flags) {
    this.flags = Objects.requireNonNull(flags);
    return this;
  }

  public ExpandContractBuilder clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock);
    return this;
  }

  /** Names this instance in heartbeats, claims and the transition history. */
  public ExpandContractBuilder instanceId(String instanceId) {
    this.instanceId = Objects.requireNonNull(instanceId);
    return this;
  }

  public ExpandContractBuilder tablePrefix(String tablePrefix) {
    this.tablePrefix = tablePrefix;
    return this;
  }

  /** How long reads stay 100% new before writes to the old schema may stop. */
  public ExpandContractBuilder soakTime(Duration soakTime) {
    this.soakTime = soakTime;
    return this;
  }

  /** An instance without a heartbeat for this long no longer counts as live. */
  public ExpandContractBuilder instanceTimeout(Duration instanceTimeout) {
    this.instanceTimeout = instanceTimeout;
    return this;
  }

  public ExpandContractBuilder verifyBatchSize(int rows) {
    this.verifyBatchSize = rows;
    return this;
  }

  /** Backfill workers per migration in this instance, each copying a chunk of its own. */
  public ExpandContractBuilder backfillWorkers(int workers) {
    this.backfillWorkers = workers;
    return this;
  }

  /**
   * How long a chunk's lease holds without a batch or a heartbeat renewing it: a dead instance's
   * chunks are taken over this long after its last renewal. Keep it a few refresh intervals.
   */
  public ExpandContractBuilder claimLease(Duration lease) {
    this.claimLease = Objects.requireNonNull(lease);
    return this;
  }

  /** Observes batches, verifications, dual writes and contracts while they run. */
  public ExpandContractBuilder observer(OperationObserver observer) {
    this.observer = observer;
    return this;
  }

  /**
   * Whether the library creates its own tables when they are missing (the default); without it they
   * must exist, created beforehand with the script {@link StateStore#SCHEMA_SCRIPT} shipped in this
   * jar, e.g. by a user allowed to create tables.
   */
  public ExpandContractBuilder createStateTables(boolean create) {
    this.createStateTables = create;
    return this;
  }

  /** Rows per leased chunk of a backfill's key range. */
  public ExpandContractBuilder chunkRows(int rows) {
    this.chunkRows = rows;
    return this;
  }

  /**
   * Whether each migration gets database triggers that keep new in step with old for writers that
   * bypass the application, from the start of its backfill until writes to old stop (off by
   * default: every write to the old table pays for them). Set it alike on every instance: one with
   * the net off removes it at start-up. PostgreSQL and MySQL/MariaDB only.
   */
  public ExpandContractBuilder safetyNet(boolean enabled) {
    this.safetyNet = enabled;
    return this;
  }

  /**
   * Validates every migration against the live schema (all failures in one exception, one line
   * each), creates the state tables if absent, and registers each migration. A database that cannot
   * be reached does not fail it when the {@link #databaseType} is given: the instance then holds no
   * state (status unknown, migrated values neither read nor written) and starts at the first {@link
   * ExpandContract#refresh()} that reaches the database.
   *
   * @throws InvalidMigrationException when the database answers and a migration does not fit it
   */
  public ExpandContract build() {
    ExpandContract expandContract = new ExpandContract(this, databaseType());
    try {
      expandContract.start();
    } catch (IllegalStateException e) {
      String problem = expandContract.databaseProblem().orElseThrow(() -> e);
      log.warn(
          "expand-contract: {}; the migrations start once a refresh reaches the database", problem);
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
