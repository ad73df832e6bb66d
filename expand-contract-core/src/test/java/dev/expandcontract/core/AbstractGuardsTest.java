package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.phase.AllowedAction;
import dev.expandcontract.core.phase.MigrationAction;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Invariant 4, guards hold: every action in every phase is allowed or refused exactly as the phase
 * table of DESIGN.md says, a refusal changes nothing, racing instances cannot both win, and the
 * fleet-wide guards wait for every live instance.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractGuardsTest {

  private static final int ROWS = 120;
  private static final int BATCH = 50;
  private static final String ADDRESS = Customers.ADDRESS;
  private static final String EMAIL = Customers.EMAIL;

  private HikariDataSource dataSource;
  private MutableClock clock = MutableClock.startingNow();
  private ExpandContract ec;
  private final AtomicInteger contractDdlRuns = new AtomicInteger();

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("guards_" + database().name().toLowerCase());
    Customers.recreate(dataSource);
    instance(dataSource, "creates-state-tables"); // so that each test can just empty them
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void freshState() {
    Customers.clear(dataSource);
    Customers.seed(dataSource, ROWS, 3);
    clock = MutableClock.startingNow();
    contractDdlRuns.set(0);
    ec = instance(dataSource, "a");
  }

  /** The table migration (no reverse transform) and the column migration (with one). */
  private static List<Migration> migrations() {
    return List.of(
        Customers.addressModel(false, Customers.smallBatches(BATCH)).migration(),
        Migration.column(EMAIL)
            .table("customers")
            .key("id")
            .map("email")
            .to("email_normalized")
            .using("lower(trim(email))")
            .usingJava(Customers::normalized)
            .reverse("email_normalized")
            .backfill(Customers.smallBatches(BATCH))
            .build());
  }

  private ExpandContract instance(DataSource source, String instanceId) {
    return instance(source, instanceId, Duration.ZERO);
  }

  private ExpandContract instance(DataSource source, String instanceId, Duration soakTime) {
    return ExpandContract.builder(source)
        .migrations(migrations())
        .instanceId(instanceId)
        .clock(clock)
        .soakTime(soakTime)
        .tablePrefix(Customers.STATE_PREFIX)
        .build();
  }

  // ---- the phase table ----------------------------------------------------------------------

  /** Where a test puts a migration before it acts: the phases, plus a paused backfill. */
  enum Stage {
    EXPANDED,
    BACKFILLING,
    PAUSED,
    BACKFILLED,
    VERIFIED,
    READ_NEW_HALF,
    READ_NEW_FULL,
    NEW_ONLY,
    CONTRACTING,
    CONTRACTED
  }

  /** The operator's actions, named as {@link TransitionRefusedException#action()} names them. */
  enum Action {
    START_BACKFILL("start-backfill"),
    PAUSE("pause"),
    RESUME("resume"),
    VERIFY("verify"),
    READ_NEW_HALF("read-new"),
    READ_NEW_FULL("read-new"),
    STOP_OLD_WRITES("stop-old-writes"),
    CONTRACT("contract"),
    ROLLBACK("rollback");

    final String actionName;

    Action(String actionName) {
      this.actionName = actionName;
    }
  }

  /**
   * DESIGN.md's phase table for the table migration (which has no reverse transform): the phase an
   * allowed action leads to, or null when the guard must refuse it.
   */
  private static Phase expectedOutcome(Stage stage, Action action) {
    return switch (action) {
      case START_BACKFILL -> stage == Stage.EXPANDED ? Phase.BACKFILLING : null;
      case PAUSE -> stage == Stage.BACKFILLING ? Phase.BACKFILLING : null;
      case RESUME -> stage == Stage.PAUSED ? Phase.BACKFILLING : null;
      case VERIFY ->
          switch (stage) {
            case BACKFILLED, VERIFIED -> Phase.VERIFIED;
            case READ_NEW_HALF, READ_NEW_FULL -> Phase.READ_NEW;
            default -> null;
          };
      case READ_NEW_HALF, READ_NEW_FULL ->
          stage == Stage.VERIFIED || stage == Stage.READ_NEW_HALF || stage == Stage.READ_NEW_FULL
              ? Phase.READ_NEW
              : null;
      case STOP_OLD_WRITES -> stage == Stage.READ_NEW_FULL ? Phase.NEW_ONLY : null;
      case CONTRACT ->
          stage == Stage.NEW_ONLY || stage == Stage.CONTRACTING ? Phase.CONTRACTED : null;
      case ROLLBACK -> stage.compareTo(Stage.NEW_ONLY) < 0 ? Phase.EXPANDED : null;
    };
  }

  Stream<Arguments> everyActionInEveryStage() {
    return Arrays.stream(Stage.values())
        .flatMap(
            stage -> Arrays.stream(Action.values()).map(action -> Arguments.of(stage, action)));
  }

  @ParameterizedTest(name = "{1} in {0}")
  @MethodSource("everyActionInEveryStage")
  void everyActionIsAllowedOrRefusedAsThePhaseTableSays(Stage stage, Action action) {
    MigrationState before = driveTo(ADDRESS, stage);
    int transitionsBefore = ec.store().transitions(ADDRESS, 1000).size();
    Phase expected = expectedOutcome(stage, action);

    if (expected == null) {
      assertThatThrownBy(() -> act(ADDRESS, action))
          .isInstanceOfSatisfying(
              TransitionRefusedException.class,
              e -> {
                assertThat(e.migrationId()).isEqualTo(ADDRESS);
                assertThat(e.action()).isEqualTo(action.actionName);
                assertThat(e.getMessage()).as("the reason").isNotBlank();
              });
      assertThat(load(ADDRESS)).as("state after a refusal").isEqualTo(before);
      assertThat(ec.store().transitions(ADDRESS, 1000)).hasSize(transitionsBefore);
      assertThat(contractDdlRuns).as("contract DDL runs").hasValue(0);
    } else {
      act(ADDRESS, action);
      MigrationState after = load(ADDRESS);
      assertThat(after.phase()).isEqualTo(expected);
      assertThat(after.version())
          .as("version")
          .isEqualTo(before.version() + transitionsRecorded(action, before));
    }
  }

  /**
   * A verification after VERIFIED reports and moves nothing; a rollback in EXPANDED and a read-new
   * to the percentage already in effect are no-ops that record no transition; a contract from
   * NEW_ONLY records two (CONTRACTING before its DDL, then CONTRACTED).
   */
  private static int transitionsRecorded(Action action, MigrationState before) {
    boolean nothing =
        switch (action) {
          case VERIFY -> before.phase() != Phase.BACKFILLED;
          case ROLLBACK -> before.phase() == Phase.EXPANDED;
          case READ_NEW_HALF -> before.phase() == Phase.READ_NEW && before.readPercent() == 50;
          case READ_NEW_FULL -> before.phase() == Phase.READ_NEW && before.readPercent() == 100;
          default -> false;
        };
    return nothing ? 0 : action == Action.CONTRACT && before.phase() == Phase.NEW_ONLY ? 2 : 1;
  }

  /**
   * What {@link MigrationControl#allowedActions} lists in each stage of the table migration (no
   * reverse transform, no rows set aside, one instance, no soak time): the action's name, marked
   * {@code !} when a guard would refuse it now; tune is allowed in every phase.
   */
  private static List<String> expectedAllowedActions(Stage stage) {
    return switch (stage) {
      case EXPANDED -> List.of("start-backfill", "tune");
      case BACKFILLING -> List.of("pause", "rollback", "tune");
      case PAUSED -> List.of("resume", "rollback", "tune");
      case BACKFILLED -> List.of("verify", "rollback", "compact", "repair", "tune");
      case VERIFIED -> List.of("verify", "read-new", "rollback", "compact", "repair", "tune");
      case READ_NEW_HALF ->
          List.of(
              "verify", "read-new", "stop-old-writes!", "rollback", "compact", "repair", "tune");
      case READ_NEW_FULL ->
          List.of("verify", "read-new", "stop-old-writes", "rollback", "compact", "repair", "tune");
      case NEW_ONLY -> List.of("contract", "rollback!", "compact", "tune");
      case CONTRACTING -> List.of("contract", "tune");
      case CONTRACTED -> List.of("compact", "tune");
    };
  }

  @ParameterizedTest
  @EnumSource(Stage.class)
  void allowedActionsAreWhatThePhaseAllowsWithTheGuardsRefusals(Stage stage) {
    MigrationState state = driveTo(ADDRESS, stage);

    List<AllowedAction> allowed = ec.control().allowedActions(state);

    assertThat(allowed)
        .extracting(a -> a.action().actionName() + (a.refusedBecause() == null ? "" : "!"))
        .containsExactlyElementsOf(expectedAllowedActions(stage));
    // Listed without a refusal exactly when the action itself goes through (a rollback in EXPANDED
    // is the one no-op the phase table accepts and nothing offers).
    for (Action action : Action.values()) {
      boolean ready =
          allowed.stream()
              .anyMatch(
                  a ->
                      a.action().actionName().equals(action.actionName)
                          && a.refusedBecause() == null);
      boolean noOp = action == Action.ROLLBACK && stage == Stage.EXPANDED;
      assertThat(ready)
          .as(action + " ready")
          .isEqualTo(expectedOutcome(stage, action) != null && !noOp);
    }
  }

  @Test
  void allowedActionsSayWhyAGuardRefusesRollbackFromNewOnlyWithoutReverseTransform() {
    MigrationState newOnly = driveTo(ADDRESS, Stage.NEW_ONLY);

    assertThat(ec.control().allowedActions(newOnly))
        .filteredOn(a -> a.action() == MigrationAction.ROLLBACK)
        .singleElement()
        .satisfies(a -> assertThat(a.refusedBecause()).contains("reverse transform"));
  }

  @Test
  void readNewRejectsAPercentageOutsideZeroToHundred() {
    driveTo(ADDRESS, Stage.VERIFIED);
    assertThatThrownBy(() -> ec.control().readNew(ADDRESS, 101, "test"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ec.control().readNew(ADDRESS, -1, "test"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(load(ADDRESS).phase()).isEqualTo(Phase.VERIFIED);
  }

  // ---- racing instances --------------------------------------------------------------------

  @Test
  void ofEightThreadsOnTwoInstancesStartingTheBackfillExactlyOneWins() throws Exception {
    ExpandContract other = instance(dataSource, "b");
    MigrationState before = load(ADDRESS);
    List<Outcome> outcomes =
        race(8, i -> () -> (i % 2 == 0 ? ec : other).control().startBackfill(ADDRESS, "t" + i));

    assertExactlyOneWon(outcomes, before, Phase.BACKFILLING);
  }

  @Test
  void ofEightThreadsRampingReadsFromTheSameVersionExactlyOneWins() throws Exception {
    driveTo(ADDRESS, Stage.VERIFIED);
    MigrationState before = load(ADDRESS);
    CyclicBarrier allRead = new CyclicBarrier(8);
    FaultyDataSource first = new FaultyDataSource(dataSource);
    FaultyDataSource second = new FaultyDataSource(dataSource);
    ExpandContract a = instance(first, "a");
    ExpandContract b = instance(second, "b");
    // Every thread has read version N and passed the guard before any of them writes.
    String transition = "UPDATE " + Customers.STATE_PREFIX + "migration SET phase";
    first.holdStatements(transition, allRead);
    second.holdStatements(transition, allRead);
    List<Outcome> outcomes;
    try {
      outcomes =
          race(8, i -> () -> (i % 2 == 0 ? a : b).control().readNew(ADDRESS, 10 + i, "t" + i));
    } finally {
      first.release();
      second.release();
    }

    MigrationState after = assertExactlyOneWon(outcomes, before, Phase.READ_NEW);
    int winner =
        outcomes.stream().filter(o -> o.error() == null).findFirst().orElseThrow().thread();
    assertThat(after.readPercent()).isEqualTo(10 + winner);
    assertThat(outcomes)
        .filteredOn(o -> o.error() != null)
        .allSatisfy(o -> assertThat(o.error()).hasMessageContaining("changed concurrently"));
  }

  private record Outcome(int thread, Object result, Throwable error) {}

  private interface Racer {
    Callable<Object> thread(int index);
  }

  /** Runs the racers from one start gate; every racer either returns or throws. */
  private List<Outcome> race(int threads, Racer racer) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch ready = new CountDownLatch(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<Object>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        Callable<Object> work = racer.thread(i);
        futures.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  go.await();
                  return work.call();
                }));
      }
      assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
      go.countDown();
      List<Outcome> outcomes = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        try {
          outcomes.add(new Outcome(i, futures.get(i).get(30, TimeUnit.SECONDS), null));
        } catch (ExecutionException e) {
          outcomes.add(new Outcome(i, null, e.getCause()));
        }
      }
      return outcomes;
    } finally {
      pool.shutdownNow();
    }
  }

  private MigrationState assertExactlyOneWon(
      List<Outcome> outcomes, MigrationState before, Phase phase) {
    assertThat(outcomes).filteredOn(o -> o.error() == null).as("winners").hasSize(1);
    assertThat(outcomes)
        .filteredOn(o -> o.error() != null)
        .hasSize(outcomes.size() - 1)
        .allSatisfy(
            o ->
                assertThat(o.error())
                    .isInstanceOf(TransitionRefusedException.class)
                    .message()
                    .isNotBlank());
    MigrationState after = load(ADDRESS);
    assertThat(after.phase()).isEqualTo(phase);
    assertThat(after.version()).isEqualTo(before.version() + 1);
    List<PhaseTransition> transitions = ec.store().transitions(ADDRESS, 1000);
    assertThat(transitions.get(0).version()).isEqualTo(after.version());
    assertThat(transitions).filteredOn(t -> t.version() > before.version()).hasSize(1);
    return after;
  }

  // ---- rollback -----------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = Stage.class,
      names = {"BACKFILLING", "PAUSED", "BACKFILLED", "VERIFIED", "READ_NEW_HALF", "READ_NEW_FULL"})
  void rollbackBeforeNewOnlyReturnsToExpandedAndLosesNothing(Stage stage) throws Exception {
    Customers.Model model = Customers.addressModel(false, Customers.smallBatches(BATCH));
    driveTo(ADDRESS, stage);
    List<Object> updated = List.of("2 Rollback Road", "Undo", "10101");
    List<Object> inserted = List.of("3 Rollback Road", "Redo", "20202");
    Customers.inTransaction(dataSource, Customers.update(ec, model, 7, updated));
    Customers.inTransaction(dataSource, Customers.insert(ec, model, ROWS + 1, inserted));
    Customers.inTransaction(dataSource, Customers.delete(ec, model, 8));

    MigrationState rolledBack = ec.control().rollback(ADDRESS, "operator");

    assertThat(rolledBack.phase()).isEqualTo(Phase.EXPANDED);
    assertThat(rolledBack.readPercent()).isZero();
    assertThat(rolledBack.paused()).isFalse();
    assertThat(rolledBack.cursorKey()).isNull();
    assertThat(rolledBack.upperKey()).isNull();
    assertThat(rolledBack.rowsDone()).isZero();
    assertThat(rolledBack.claimOwner()).isNull();
    assertThat(ec.store().transitions(ADDRESS, 1).get(0))
        .satisfies(t -> assertThat(t.to()).isEqualTo(Phase.EXPANDED))
        .satisfies(t -> assertThat(t.actor()).isEqualTo("operator"));
    // Reads come from old again: every acknowledged write is there ...
    Map<Long, List<Object>> old = TestSql.byKey(dataSource, model.oldRows());
    assertThat(old.get(7L)).isEqualTo(updated);
    assertThat(old.get((long) ROWS + 1)).isEqualTo(inserted);
    assertThat(old).doesNotContainKey(8L);
    // ... and new keeps what was written to it, so rolling forward again starts from there.
    Map<Long, List<Object>> fresh = TestSql.byKey(dataSource, model.newRows());
    assertThat(fresh.get(7L)).isEqualTo(updated);
    assertThat(fresh.get((long) ROWS + 1)).isEqualTo(inserted);
    assertThat(fresh).doesNotContainKey(8L);

    ec.control().startBackfill(ADDRESS, "test");
    runBackfill(ADDRESS);
    Customers.assertConverged(dataSource, model);
    assertThat(ec.control().verify(ADDRESS, "test").mismatches()).isZero();
  }

  @Test
  void rollbackFromNewOnlyWithoutReverseTransformIsRefusedWithTheReason() {
    MigrationState before = driveTo(ADDRESS, Stage.NEW_ONLY);

    assertThatThrownBy(() -> ec.control().rollback(ADDRESS, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("reverse transform")
        .hasMessageContaining(ADDRESS);
    assertThat(load(ADDRESS)).isEqualTo(before);
  }

  @Test
  void rollbackFromNewOnlyWithReverseTransformResyncsOldBeforeReadsMayLeaveNew() throws Exception {
    driveTo(EMAIL, Stage.NEW_ONLY);
    // Writes now go to new only: the old column keeps its stale value.
    try (var connection = dataSource.getConnection()) {
      ec.rows(EMAIL).write(connection, 5, List.of(" New.Only@Example.COM"), ValueForm.OLD, false);
    }
    assertThat(
            TestSql.byKey(
                    dataSource, "SELECT id, email, email_normalized FROM customers WHERE id = 5")
                .get(5L))
        .element(1)
        .isEqualTo("new.only@example.com");
    // An instance still acting on NEW_ONLY would write new only: the re-sync waits for it.
    heartbeat("b", load(EMAIL));

    MigrationState rolledBack = ec.control().rollback(EMAIL, "operator");

    assertThat(rolledBack.phase()).isEqualTo(Phase.READ_NEW);
    assertThat(rolledBack.readPercent()).isEqualTo(100);
    assertThat(rolledBack.resyncOld()).isTrue();
    assertThatThrownBy(() -> ec.control().readNew(EMAIL, 50, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("re-synced");
    assertThatThrownBy(() -> ec.control().rollback(EMAIL, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("re-synced");
    assertThat(ec.backfill().runBatch(EMAIL)).isEqualTo(BatchOutcome.WAITING_FOR_FLEET);

    heartbeat("b", rolledBack);
    runBackfill(EMAIL);

    MigrationState resynced = load(EMAIL);
    assertThat(resynced.phase()).isEqualTo(Phase.READ_NEW);
    assertThat(resynced.resyncOld()).isFalse();
    assertThat(TestSql.byKey(dataSource, "SELECT id, email FROM customers WHERE id = 5").get(5L))
        .containsExactly("new.only@example.com");
    assertThat(
            TestSql.queryLong(
                dataSource,
                "SELECT COUNT(*) FROM customers WHERE email IS NOT NULL AND email <>"
                    + " email_normalized"))
        .as("old values that differ from new after the re-sync")
        .isZero();
    ec.control().readNew(EMAIL, 50, "operator");
    assertThat(ec.control().rollback(EMAIL, "operator").phase()).isEqualTo(Phase.EXPANDED);
  }

  @Test
  void contractedIsFinal() {
    MigrationState before = driveTo(ADDRESS, Stage.CONTRACTED);

    assertThatThrownBy(() -> ec.control().rollback(ADDRESS, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("final");
    assertThat(load(ADDRESS)).isEqualTo(before);
  }

  // ---- a batch in flight --------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(
      value = Action.class,
      names = {"PAUSE", "ROLLBACK"})
  void aBatchInFlightWhenTheOperatorStopsTheBackfillCommitsNothing(Action action) throws Exception {
    FaultyDataSource held = new FaultyDataSource(dataSource);
    ExpandContract backfiller = instance(held, "a");
    driveTo(ADDRESS, Stage.BACKFILLING); // one batch done: customers 1..50 copied
    long copiedBefore = TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customer_addresses");
    CyclicBarrier atCheckpoint = new CyclicBarrier(2);
    held.holdStatements(
        "UPDATE " + Customers.STATE_PREFIX + "migration SET rows_done", atCheckpoint);
    ExecutorService thread = Executors.newSingleThreadExecutor();
    try {
      Future<BatchOutcome> batch = thread.submit(() -> backfiller.backfill().runBatch(ADDRESS));
      Poll.until(
          Duration.ofSeconds(10),
          "the batch copied its rows and reached its checkpoint",
          () -> atCheckpoint.getNumberWaiting() == 1);

      act(ADDRESS, action);
      MigrationState stopped = load(ADDRESS);
      atCheckpoint.await(10, TimeUnit.SECONDS);
      held.release();

      assertThat(batch.get(20, TimeUnit.SECONDS)).isEqualTo(BatchOutcome.IDLE);
      assertThat(load(ADDRESS)).as("state after the batch gave up").isEqualTo(stopped);
      assertThat(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customer_addresses"))
          .as("rows the stopped batch left in new")
          .isEqualTo(copiedBefore);
    } finally {
      held.release();
      thread.shutdownNow();
    }
  }

  // ---- fleet-wide guards -------------------------------------------------------------------

  @Test
  void stopOldWritesWaitsForEveryLiveInstanceToReadFullyFromNew() {
    driveTo(ADDRESS, Stage.READ_NEW_HALF);
    MigrationState half = load(ADDRESS);
    ec.control().readNew(ADDRESS, 100, "operator");
    MigrationState full = load(ADDRESS);
    heartbeat("lagging", half);
    heartbeat("a", full);

    assertThatThrownBy(() -> ec.control().stopOldWrites(ADDRESS, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("lagging")
        .hasMessageContaining("50%");
    assertThat(load(ADDRESS)).isEqualTo(full);
    assertThat(refusal(full, MigrationAction.STOP_OLD_WRITES))
        .contains("not every live instance")
        .contains("lagging");

    // An instance that stopped sending heartbeats no longer counts as live.
    clock.advance(Duration.ofSeconds(31));
    heartbeat("a", full);
    assertThat(ec.control().stopOldWrites(ADDRESS, "operator").phase()).isEqualTo(Phase.NEW_ONLY);
  }

  @Test
  void stopOldWritesWaitsForTheSoakTime() {
    ExpandContract soaking = instance(dataSource, "a", Duration.ofMinutes(5));
    driveTo(ADDRESS, Stage.READ_NEW_FULL);
    MigrationState full = load(ADDRESS);

    assertThatThrownBy(() -> soaking.control().stopOldWrites(ADDRESS, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("soak time");
    assertThat(load(ADDRESS)).isEqualTo(full);
    assertThat(soaking.control().allowedActions(full))
        .filteredOn(a -> a.action() == MigrationAction.STOP_OLD_WRITES)
        .singleElement()
        .satisfies(a -> assertThat(a.refusedBecause()).contains("soak time is 300s"));

    clock.advance(Duration.ofMinutes(5));
    assertThat(soaking.control().stopOldWrites(ADDRESS, "operator").phase())
        .isEqualTo(Phase.NEW_ONLY);
  }

  @Test
  void stopOldWritesIsRefusedBelowHundredPercentEvenWhenTheFleetAgrees() {
    driveTo(ADDRESS, Stage.READ_NEW_HALF);
    heartbeat("a", load(ADDRESS));

    assertThatThrownBy(() -> ec.control().stopOldWrites(ADDRESS, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("100%");
  }

  @Test
  void contractWaitsForEveryLiveInstanceToStopWritingOld() {
    driveTo(ADDRESS, Stage.READ_NEW_FULL);
    MigrationState stillWritingOld = load(ADDRESS);
    ec.control().stopOldWrites(ADDRESS, "operator");
    MigrationState newOnly = load(ADDRESS);
    heartbeat("old-code", stillWritingOld);

    assertThatThrownBy(() -> ec.control().contract(ADDRESS, "operator", this::contractDdl))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("old-code")
        .hasMessageContaining("READ_NEW");
    assertThat(contractDdlRuns).as("the DDL must not run").hasValue(0);
    assertThat(load(ADDRESS)).isEqualTo(newOnly);
    assertThat(refusal(newOnly, MigrationAction.CONTRACT)).contains("old-code");

    heartbeat("old-code", newOnly);
    assertThat(ec.control().contract(ADDRESS, "operator", this::contractDdl).phase())
        .isEqualTo(Phase.CONTRACTED);
    assertThat(contractDdlRuns).hasValue(1);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private void contractDdl() {
    contractDdlRuns.incrementAndGet();
  }

  /** Why {@link MigrationControl#allowedActions} says a guard refuses {@code action} now. */
  private String refusal(MigrationState state, MigrationAction action) {
    return ec.control().allowedActions(state).stream()
        .filter(a -> a.action() == action)
        .findFirst()
        .orElseThrow()
        .refusedBecause();
  }

  private MigrationState load(String id) {
    return ec.store().load(id).orElseThrow();
  }

  /**
   * A heartbeat of an instance acting on {@code seen}, with the routing a router applies for it.
   */
  private void heartbeat(String instanceId, MigrationState seen) {
    FlagRouter.Routing applied = ec.router().routing(seen);
    ec.store().instances().heartbeat(instanceId, seen, applied.readPercent(), applied.writesOld());
  }

  private void act(String id, Action action) {
    MigrationControl control = ec.control();
    switch (action) {
      case START_BACKFILL -> control.startBackfill(id, "test");
      case PAUSE -> control.pause(id, "test");
      case RESUME -> control.resume(id, "test");
      case VERIFY -> control.verify(id, "test");
      case READ_NEW_HALF -> control.readNew(id, 50, "test");
      case READ_NEW_FULL -> control.readNew(id, 100, "test");
      case STOP_OLD_WRITES -> control.stopOldWrites(id, "test");
      case CONTRACT -> control.contract(id, "test", this::contractDdl);
      case ROLLBACK -> control.rollback(id, "test");
    }
  }

  /** Moves the migration through the legal path to {@code stage}; returns the state there. */
  private MigrationState driveTo(String id, Stage stage) {
    MigrationControl control = ec.control();
    if (stage.compareTo(Stage.BACKFILLING) >= 0) {
      control.startBackfill(id, "test");
      if (stage == Stage.BACKFILLING || stage == Stage.PAUSED) {
        assertThat(runBatch(id)).isEqualTo(BatchOutcome.COPIED);
        if (stage == Stage.PAUSED) {
          control.pause(id, "test");
        }
        return load(id);
      }
      runBackfill(id);
    }
    if (stage.compareTo(Stage.VERIFIED) >= 0) {
      assertThat(control.verify(id, "test").mismatches()).isZero();
    }
    if (stage.compareTo(Stage.READ_NEW_HALF) >= 0) {
      control.readNew(id, 50, "test");
    }
    if (stage.compareTo(Stage.READ_NEW_FULL) >= 0) {
      control.readNew(id, 100, "test");
    }
    if (stage.compareTo(Stage.NEW_ONLY) >= 0) {
      control.stopOldWrites(id, "test");
    }
    if (stage == Stage.CONTRACTING) {
      assertThatThrownBy(
              () ->
                  control.contract(
                      id,
                      "test",
                      () -> {
                        throw new IllegalStateException("contract DDL stopped halfway");
                      }))
          .hasMessageContaining("halfway");
    }
    if (stage == Stage.CONTRACTED) {
      control.contract(id, "test", () -> {});
    }
    MigrationState state = load(id);
    assertThat(state.phase().name())
        .isEqualTo(stage.name().replace("_HALF", "").replace("_FULL", ""));
    return state;
  }

  private BatchOutcome runBatch(String id) {
    try {
      return ec.backfill().runBatch(id);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void runBackfill(String id) {
    BatchOutcome outcome;
    int batches = 0;
    do {
      outcome = runBatch(id);
      assertThat(outcome)
          .isIn(BatchOutcome.COPIED, BatchOutcome.RESYNC_RANGE_FIXED, BatchOutcome.FINISHED);
      assertThat(++batches).as("batches").isLessThan(100);
    } while (outcome != BatchOutcome.FINISHED);
  }
}
