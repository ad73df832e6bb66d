package dev.expandcontract.core;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.drift.SafetyNets;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.sql.SchemaValidator;
import dev.expandcontract.core.internal.store.OldColumnTypes.OldColumn;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.MigrationSchema;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start of the declared migrations: validated against the live schema, the library's tables
 * created, each registered and its state adopted. It waits for the database to answer; what started
 * is kept here.
 */
final class MigrationStartup {

  // Under ExpandContract's name, as before it was split off: users filter by it.
  private static final Logger log = LoggerFactory.getLogger(ExpandContract.class);

  private final List<Migration> declaredInOrder;
  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final StateStore store;
  private final MigrationFlags flags;
  private final boolean createStateTables;
  private final SafetyNets safetyNets;
  private final AdoptedStates states;
  private final ExpandContractListener listener;
  private final OperationObserver observer;
  private final String instanceId;
  private final Map<String, MigrationSql> migrations = new ConcurrentHashMap<>();
  private final Map<String, MigratedRows> rows = new ConcurrentHashMap<>();
  private volatile boolean started;
  private volatile String startFailure;
  private volatile String startError;

  MigrationStartup(
      List<Migration> declaredInOrder,
      DataSource dataSource,
      SqlDialect dialect,
      StateStore store,
      MigrationFlags flags,
      boolean createStateTables,
      SafetyNets safetyNets,
      AdoptedStates states,
      ExpandContractListener listener,
      OperationObserver observer,
      String instanceId) {
    this.declaredInOrder = declaredInOrder;
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.store = store;
    this.flags = flags;
    this.createStateTables = createStateTables;
    this.safetyNets = safetyNets;
    this.states = states;
    this.listener = listener;
    this.observer = observer;
    this.instanceId = instanceId;
  }

  boolean started() {
    return started;
  }

  /** Why the migrations could not start although the database answered (they are invalid). */
  Optional<String> startFailure() {
    return Optional.ofNullable(startFailure);
  }

  /** Why the last start failed otherwise, until one succeeds. */
  Optional<String> startError() {
    return Optional.ofNullable(startError);
  }

  /** A started migration's statements. */
  Optional<MigrationSql> sql(String id) {
    return Optional.ofNullable(migrations.get(id));
  }

  /** A started migration's row access. */
  MigratedRows rows(String id) {
    return rows.get(id);
  }

  /** Before start(): there is no state to route by, so nothing reads or writes migrated values. */
  StaleStateException notStarted(String id) {
    return new StaleStateException(
        id,
        "instance "
            + instanceId
            + " has not read the state of migration '"
            + id
            + "' since it started, so it neither reads nor writes its values: "
            + unknownReason());
  }

  /** Why this instance holds no state of the migrations, or an unknown one. */
  String unknownReason() {
    return startFailure()
        .or(states::databaseProblem)
        .orElseGet(
            () ->
                startError()
                    .map(
                        e -> "state unknown: the start failed (the next refresh tries again): " + e)
                    .orElse(
                        "state unknown: not read since start-up yet (the next refresh reads it)"));
  }

  /**
   * Validates every migration against the live schema (all failures in one exception, one line
   * each), creates the state and flag tables if absent, registers each migration and adopts its
   * state. While the database cannot be reached it throws and leaves everything to the next call;
   * once it found a migration invalid it keeps failing with that reason, since only a new release
   * can fix the declaration or the schema.
   */
  synchronized void start() {
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
      registered.forEach(states::adopt);
    } catch (InvalidMigrationException e) {
      startFailure = e.getMessage();
      if (states.databaseProblem().isPresent()) { // a deferred start: no build() is there to fail
        log.error(
            "expand-contract: the database answered, and nothing migrated is read or written: {}",
            startFailure);
        states.databaseAnswered();
      }
      throw e;
    } catch (IllegalStateException e) {
      if (!states.noteIfUnreachable(e.getCause())) {
        startError =
            e.getMessage() + (e.getCause() == null ? "" : ": " + e.getCause().getMessage());
      }
      throw e;
    }
    states.seen(begun);
    startError = null;
    started = true;
    for (String id : validated.keySet()) {
      try {
        safetyNets.follow(states.held(id).orElseThrow());
      } catch (RuntimeException e) {
        // Start-up goes on: the net is a safety measure, and GET shows it absent.
        log.warn("expand-contract: safety net of '{}' not in line with its phase", id, e);
      }
    }
    validated.keySet().stream()
        .filter(id -> states.held(id).orElseThrow().phase() == Phase.CONTRACTED)
        .forEach(id -> log.info(removableDeclaration(validated.get(id))));
  }

  /** Creates the library's missing tables, or (when it may not) names them and the script. */
  private void requireStateTables() {
    if (createStateTables) {
      store.tables().createTablesIfAbsent();
      return;
    }
    List<String> missing = store.tables().missingTables();
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
    if (store.tables().stateTableExists()) {
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
}
