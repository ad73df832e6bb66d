package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.Ff4jMigrationFlags;
import dev.expandcontract.core.flags.Ff4jSchema;
import dev.expandcontract.core.flags.StickyPercentage;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.store.BackfillChunk;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.ff4j.FF4j;
import org.ff4j.core.Feature;
import org.ff4j.store.JdbcFeatureStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A randomized lifecycle: several instances on one database, each refreshing on its own lagging
 * schedule, the application's writes through each instance's routing, backfill batches, and a
 * random operator (every action, rollback from every phase, contract), instance deaths and joins,
 * flags flipped in the flag store against the state. A third of the writes go through the instance
 * holding the oldest state, as a lagging instance's requests do. After every step it checks
 * invariants 1 (no acknowledged write lost), 2 (new = transform(old) once complete, copied by a run
 * whose cursor reached its upper key) and 6 (routing never contradicts the state) against its own
 * record of acknowledged writes.
 *
 * <p>Single-threaded on purpose: the concurrency that matters here is between instances acting on
 * different views of the shared state, and one thread makes each seed replay exactly. Time is a
 * {@link MutableClock} shared by the instances, so soak time, leases and instance-timeout pass
 * without waiting. Every action that races the end of a backfill is injected between a checkpoint
 * and the finish (the listener's batch-completed event), where a real thread could land: after the
 * next batch, or after the batch that completes the run's last chunk.
 *
 * <p>Replay a failure with {@code -Dec.lifecycle.seed=N}; soak with {@code -Dec.lifecycle.seeds=500
 * -Dec.lifecycle.steps=400} (and {@code -Dec.lifecycle.firstSeed=N} for other seeds).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractLifecycleFuzzTest {

  private static final Logger log = LoggerFactory.getLogger(AbstractLifecycleFuzzTest.class);

  private static final String EMAIL = Customers.EMAIL;
  private static final Long SEED = Long.getLong("ec.lifecycle.seed");
  private static final long FIRST_SEED = Long.getLong("ec.lifecycle.firstSeed", 1);
  private static final int SEEDS = Integer.getInteger("ec.lifecycle.seeds", 8);
  private static final int STEPS = Integer.getInteger("ec.lifecycle.steps", 400);

  private static final int SEEDED_ROWS = 30;
  private static final int BATCH = 10;
  private static final Duration SOAK = Duration.ofSeconds(5);
  private static final Duration INSTANCE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LEASE = Duration.ofSeconds(10);
  private static final List<String> FLAGS = List.of("read-new", "write-old", "shadow-read");
  private static final int[] PERCENTS = {0, 1, 10, 50, 90, 100};
  private static final int MAX_BATCHES_TO_THE_END = 20;

  protected abstract TestDatabase database();

  @Test
  void everyStepKeepsAcknowledgedWritesConvergenceAndRoutingByTheState() {
    List<Long> seeds =
        SEED != null
            ? List.of(SEED)
            : LongStream.range(FIRST_SEED, FIRST_SEED + SEEDS).boxed().toList();
    Coverage coverage = new Coverage();
    for (long seed : seeds) {
      log.info("{} lifecycle seed {} ({} steps)", database(), seed, STEPS);
      assertTimeoutPreemptively(
          Duration.ofSeconds(30).plusMillis(STEPS * 200L),
          () -> new Run(seed, coverage).play(STEPS));
    }
    log.info("{} lifecycle over seeds {}: {}", database(), seeds, coverage);
  }

  /** What the runs reached, logged to tune the action distribution. */
  private static final class Coverage {
    final Set<Phase> reached = EnumSet.noneOf(Phase.class);
    final Set<Phase> rolledBackFrom = EnumSet.noneOf(Phase.class);
    final Set<Phase> rollbackRefusedIn = EnumSet.noneOf(Phase.class);
    final Map<String, Integer> counts = new TreeMap<>();

    void count(String what) {
      counts.merge(what, 1, Integer::sum);
    }

    @Override
    public String toString() {
      return "reached "
          + reached
          + ", rolled back from "
          + rolledBackFrom
          + ", rollback refused in "
          + rollbackRefusedIn
          + ", "
          + counts;
    }
  }

  /** One running instance of the application, as the test drives it. */
  private static final class Node {
    final String name;
    final ExpandContract ec;
    final Duration refreshEvery;
    final AtomicReference<Runnable> atNextBatchEnd;
    Instant nextRefresh;
    boolean alive = true;

    Node(String name, ExpandContract ec, Duration every, AtomicReference<Runnable> atBatchEnd) {
      this.name = name;
      this.ec = ec;
      this.refreshEvery = every;
      this.atNextBatchEnd = atBatchEnd;
    }
  }

  /** One seed's run: epochs of the migration, each from EXPANDED until contracted. */
  private final class Run {
    private final long seed;
    private final Random random;
    private final Coverage coverage;
    private final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final List<String> steps = new ArrayList<>();
    private final Map<Long, String> acknowledged = new TreeMap<>();
    private final Set<Long> deleted = new TreeSet<>();
    private final Map<Long, MigrationState> statesSeen = new HashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    private final Migration migration =
        Migration.column(EMAIL)
            .table("customers")
            .key("id")
            .map("email")
            .to("email_normalized")
            .using("lower(trim(email))")
            .usingJava(Customers::normalized)
            .reverse("email_normalized")
            .backfill(Customers.smallBatches(BATCH))
            .build();
    private HikariDataSource pool;
    private FF4j console;
    private long nextKey;
    private int joined;
    private int epoch;
    private boolean contracted;

    Run(long seed, Coverage coverage) {
      this.seed = seed;
      this.random = new Random(seed);
      this.coverage = coverage;
    }

    void play(int budget) throws Exception {
      try {
        startEpoch();
        for (int step = 1; step <= budget; step++) {
          try {
            step(step);
            check();
            if (contracted) {
              Node node = randomLive();
              assertThat(act(node, "rollback", c -> c.rollback(EMAIL, node.name)))
                  .as("a rollback after the contract")
                  .isFalse();
              startEpoch();
            }
          } catch (AssertionError | Exception e) {
            throw new AssertionError(
                database()
                    + " lifecycle seed "
                    + seed
                    + " failed at step "
                    + step
                    + ": "
                    + e.getMessage()
                    + "\nreplay: -Dec.lifecycle.seed="
                    + seed
                    + " -Dec.lifecycle.steps="
                    + budget
                    + "\nsteps:\n  "
                    + String.join("\n  ", steps),
                e);
          }
        }
      } finally {
        if (pool != null) {
          pool.close();
        }
      }
    }

    // ---- set-up ---------------------------------------------------------------------------

    /** A fresh database (no cached plans over a dropped column), seeded rows, three instances. */
    private void startEpoch() {
      if (pool != null) {
        pool.close();
      }
      epoch++;
      contracted = false;
      pool = database().create("lifecycle_" + database().name().toLowerCase());
      Customers.recreate(pool);
      Ff4jSchema.createIfAbsent(pool, new JdbcFeatureStore(pool));
      console = new FF4j();
      console.setFeatureStore(new JdbcFeatureStore(pool));
      Customers.seed(pool, SEEDED_ROWS, seed);
      acknowledged.clear();
      deleted.clear();
      statesSeen.clear();
      nodes.clear();
      TestSql.byKey(pool, "SELECT id, email FROM customers")
          .forEach((key, row) -> acknowledged.put(key, (String) Customers.normalized(row.get(0))));
      nextKey = SEEDED_ROWS + 1;
      steps.add("epoch " + epoch + ": " + SEEDED_ROWS + " rows");
      for (int i = 0; i < 3; i++) {
        join();
      }
    }

    /** A new instance heartbeats once before it serves, as the starter's scheduler does. */
    private void join() {
      String name = "i" + joined++;
      AtomicReference<Runnable> atBatchEnd = new AtomicReference<>();
      FF4j ff4j = new FF4j();
      ff4j.setFeatureStore(new JdbcFeatureStore(pool));
      ExpandContract ec =
          ExpandContract.builder(pool)
              .migration(migration)
              .flags(new Ff4jMigrationFlags(ff4j))
              .listener(
                  new ExpandContractListener() {
                    @Override
                    public void batchCompleted(BatchCompleted batch) {
                      Runnable racing = atBatchEnd.getAndSet(null);
                      if (racing != null) {
                        racing.run();
                      }
                    }
                  })
              .instanceId(name)
              .clock(clock)
              .soakTime(SOAK)
              .instanceTimeout(INSTANCE_TIMEOUT)
              .claimLease(LEASE)
              .chunkRows(BATCH)
              .tablePrefix(Customers.STATE_PREFIX)
              .build();
      Duration every = Duration.ofSeconds(1 + random.nextInt(6));
      Node node = new Node(name, ec, every, atBatchEnd);
      nodes.add(node);
      refresh(node);
      steps.add(name + " joins, refreshing every " + every.toSeconds() + "s");
    }

    // ---- one step -------------------------------------------------------------------------

    private void step(int step) throws InterruptedException {
      int roll = random.nextInt(100);
      String prefix = step + " [" + describe(storedState()) + "] ";
      int before = steps.size();
      if (roll < 30) {
        write();
      } else if (roll < 50) {
        tick();
      } else if (roll < 62) {
        batch(randomLive(), null);
      } else if (roll < 86) {
        operate();
      } else if (roll < 92) {
        flipFlag();
      } else if (roll < 97) {
        raceTheEndOfABatch();
      } else if (roll < 99 && live().size() > 1) {
        Node dying = randomLive();
        dying.alive = false;
        steps.add(dying.name + " dies");
      } else if (live().size() < 4) {
        join();
      }
      for (int i = before; i < steps.size(); i++) {
        steps.set(i, prefix + steps.get(i));
      }
    }

    /** The application writes through one instance, routed by the state that instance holds. */
    private void write() {
      Node node = random.nextInt(3) == 0 ? laggiest() : randomLive();
      MigrationState state;
      try {
        state = node.ec.writableState(EMAIL);
      } catch (StaleStateException e) {
        steps.add(node.name + " refuses a write: " + e.getMessage());
        coverage.count("writes refused as stale");
        return;
      }
      boolean writeOld = node.ec.router().writeOld(state);
      int op = random.nextInt(10);
      long key = op < 5 || nextKey == 1 ? nextKey++ : 1 + (long) random.nextInt((int) nextKey - 1);
      String email = Customers.email(random, key);
      String what =
          node.name
              + (op < 5 ? " inserts " : op < 8 ? " updates " : " deletes ")
              + key
              + (op < 8 ? " = " + email : "")
              + (writeOld ? "" : " (new only)");
      try {
        boolean done =
            Customers.inTransaction(
                pool,
                connection -> {
                  if (op < 8) {
                    return upsert(node, connection, op < 5, key, email, writeOld);
                  }
                  return TestSql.update(connection, "DELETE FROM customers WHERE id = ?", key) == 1;
                });
        if (done && op < 8) {
          acknowledged.put(key, (String) Customers.normalized(email));
        } else if (done) {
          acknowledged.remove(key);
          deleted.add(key);
        }
        steps.add(what + (done ? "" : ": no such row"));
        coverage.count(done ? "writes" : "writes to no row");
      } catch (SQLException | RuntimeException e) {
        steps.add(what + ": refused, not acknowledged: " + e);
        coverage.count("writes refused");
      }
    }

    private boolean upsert(
        Node node, Connection connection, boolean insert, long key, String email, boolean writeOld)
        throws SQLException {
      int rows;
      if (insert) {
        rows =
            writeOld
                ? TestSql.update(
                    connection,
                    "INSERT INTO customers (id, name, email) VALUES (?, ?, ?)",
                    key,
                    "Customer " + key,
                    email)
                : TestSql.update(
                    connection,
                    "INSERT INTO customers (id, name) VALUES (?, ?)",
                    key,
                    "Customer " + key);
      } else {
        rows =
            writeOld
                ? TestSql.update(
                    connection,
                    "UPDATE customers SET name = ?, email = ? WHERE id = ?",
                    "Customer " + key + "'",
                    email,
                    key)
                : TestSql.update(
                    connection,
                    "UPDATE customers SET name = ? WHERE id = ?",
                    "Customer " + key + "'",
                    key);
      }
      if (rows == 0) {
        return false;
      }
      node.ec
          .rows(EMAIL)
          .write(connection, key, Collections.singletonList(email), ValueForm.OLD, writeOld);
      return true;
    }

    /** Time passes; each live instance refreshes when its own schedule says so. */
    private void tick() {
      Duration by =
          Duration.ofSeconds(
              random.nextInt(10) == 0 ? 5 + random.nextInt(8) : 1 + random.nextInt(3));
      clock.advance(by);
      List<String> refreshed = new ArrayList<>();
      for (Node node : live()) {
        if (!clock.instant().isBefore(node.nextRefresh)) {
          refresh(node);
          refreshed.add(node.name);
        }
      }
      steps.add("+" + by.toSeconds() + "s, refreshed " + refreshed);
    }

    private void refresh(Node node) {
      node.ec.refresh();
      node.nextRefresh = clock.instant().plus(node.refreshEvery);
    }

    private void batch(Node node, String racing) throws InterruptedException {
      batch(node, new boolean[] {true}, racing == null ? null : racing + " at its end");
    }

    /** A batch, logged with what raced its end when {@code raced[0]} says one did. */
    private BatchOutcome batch(Node node, boolean[] raced, String racing)
        throws InterruptedException {
      int before = steps.size();
      BatchOutcome outcome = node.ec.backfill().runBatch(EMAIL, 0);
      node.atNextBatchEnd.set(null);
      steps.add(
          before,
          node.name
              + " runs a batch"
              + (racing == null || !raced[0] ? "" : ", " + racing)
              + ": "
              + outcome);
      coverage.count("batch " + outcome);
      return outcome;
    }

    /**
     * Another instance's operator acts between a batch's checkpoint and the end of the run it
     * belongs to: at the end of the next batch, or, while a run is going, at the end of the batch
     * that checkpoints its last chunk, the runner copying until it gets there.
     */
    private void raceTheEndOfABatch() throws InterruptedException {
      Node runner = randomLive();
      Node operator = randomLive();
      boolean restart = random.nextBoolean();
      boolean atTheLastChunk = random.nextBoolean() && storedState().backfillRunning();
      String racing =
          operator.name + (restart ? " rolls back and starts a new backfill" : " pauses");
      Runnable act =
          () -> {
            if (restart) {
              act(operator, "rollback", c -> c.rollback(EMAIL, operator.name));
              act(operator, "start-backfill", c -> c.startBackfill(EMAIL, operator.name));
            } else {
              act(operator, "pause", c -> c.pause(EMAIL, operator.name));
            }
          };
      if (!atTheLastChunk) {
        runner.atNextBatchEnd.set(act);
        batch(runner, racing);
        return;
      }
      boolean[] raced = {false};
      Runnable atTheLast =
          new Runnable() {
            @Override
            public void run() {
              List<BackfillChunk> chunks = runner.ec.store().chunks().all(EMAIL);
              if (chunks.stream().allMatch(BackfillChunk::done)) {
                raced[0] = true;
                act.run();
              } else {
                runner.atNextBatchEnd.set(this);
              }
            }
          };
      for (int i = 0; i < MAX_BATCHES_TO_THE_END && !raced[0]; i++) {
        runner.atNextBatchEnd.set(atTheLast);
        if (batch(runner, raced, racing + " at the end of the run") != BatchOutcome.COPIED) {
          break;
        }
      }
      coverage.count(raced[0] ? "races at the end of a run" : "races short of the end of a run");
    }

    /** An operator acts through one instance: mostly the next step forward, else anything. */
    private void operate() throws InterruptedException {
      Node node = randomLive();
      MigrationState state = storedState();
      int choice = random.nextInt(20);
      String action = choice == 0 ? "rollback" : choice < 15 ? forward(state) : anyAction();
      int percent = percentAfter(state);
      switch (action) {
        case "start-backfill" -> act(node, action, c -> c.startBackfill(EMAIL, node.name));
        case "pause" -> act(node, action, c -> c.pause(EMAIL, node.name));
        case "resume" -> act(node, action, c -> c.resume(EMAIL, node.name));
        case "verify" -> act(node, action, c -> c.verify(EMAIL, node.name));
        case "read-new" ->
            act(node, action + " " + percent, c -> c.readNew(EMAIL, percent, node.name));
        case "stop-old-writes" -> act(node, action, c -> c.stopOldWrites(EMAIL, node.name));
        case "batch" -> batch(node, null);
        case "contract" ->
            contracted =
                act(
                    node,
                    action,
                    c ->
                        c.contract(
                            EMAIL,
                            node.name,
                            () ->
                                TestSql.execute(pool, "ALTER TABLE customers DROP COLUMN email")));
        default -> {
          if (act(node, "rollback", c -> c.rollback(EMAIL, node.name))) {
            coverage.rolledBackFrom.add(state.phase());
          } else {
            coverage.rollbackRefusedIn.add(state.phase());
          }
        }
      }
    }

    private String forward(MigrationState state) {
      return switch (state.phase()) {
        case EXPANDED -> "start-backfill";
        case BACKFILLING -> state.paused() ? "resume" : "batch";
        case BACKFILLED -> "verify";
        case VERIFIED -> "read-new";
        case READ_NEW ->
            state.resyncOld()
                ? "batch"
                : state.readPercent() < 100 ? "read-new" : "stop-old-writes";
        case NEW_ONLY -> random.nextInt(4) > 0 ? "rollback" : "contract";
        default -> "contract";
      };
    }

    private String anyAction() {
      List<String> actions =
          List.of(
              "start-backfill",
              "pause",
              "resume",
              "verify",
              "read-new",
              "stop-old-writes",
              "contract",
              "rollback");
      return actions.get(random.nextInt(actions.size()));
    }

    /** Mostly further up the ramp, sometimes anywhere on it. */
    private int percentAfter(MigrationState state) {
      if (random.nextInt(4) == 0) {
        return PERCENTS[random.nextInt(PERCENTS.length)];
      }
      int current = state.phase() == Phase.READ_NEW ? state.readPercent() : 0;
      List<Integer> higher = new ArrayList<>();
      for (int p : PERCENTS) {
        if (p > current) {
          higher.add(p);
        }
      }
      return higher.isEmpty() ? 100 : higher.get(random.nextInt(higher.size()));
    }

    /** An operator action; a refusal is an ordinary outcome. True if it was applied. */
    private boolean act(
        Node node, String action, Consumer<dev.expandcontract.core.phase.MigrationControl> call) {
      try {
        call.accept(node.ec.control());
        steps.add(node.name + " " + action + ": now " + describe(storedState()));
        coverage.count(action);
        return true;
      } catch (TransitionRefusedException e) {
        steps.add(node.name + " " + action + ": refused: " + e.getMessage());
        return false;
      }
    }

    /** An operator changes a flag in the flag store, behind the library's back. */
    private void flipFlag() {
      String feature = Ff4jMigrationFlags.feature(EMAIL, FLAGS.get(random.nextInt(FLAGS.size())));
      if (!console.getFeatureStore().exist(feature)) {
        return;
      }
      Feature flag = console.getFeatureStore().read(feature);
      String what;
      if (feature.endsWith("read-new") && random.nextBoolean()) {
        int percent = PERCENTS[random.nextInt(PERCENTS.length)];
        flag.setEnable(true);
        flag.setFlippingStrategy(new Ff4jMigrationFlags.StickyPercentageStrategy(percent));
        what = percent + "%";
      } else {
        flag.setEnable(!flag.isEnable());
        what = flag.isEnable() ? "on" : "off";
      }
      console.getFeatureStore().update(flag);
      steps.add("the flag store's " + feature + " is set " + what);
      coverage.count("flag flips");
    }

    // ---- the invariants -------------------------------------------------------------------

    private void check() throws SQLException {
      MigrationState stored = storedState();
      statesSeen.put(stored.version(), stored);
      coverage.reached.add(stored.phase());
      for (Node node : live()) {
        MigrationState held = node.ec.state(EMAIL);
        statesSeen.put(held.version(), held);
      }
      for (Node node : live()) {
        checkRouting(node);
        checkAcknowledgedWrites(node);
      }
      checkHeartbeats(stored);
      assertThat(!stored.paused() || stored.phase() == Phase.BACKFILLING || stored.resyncOld())
          .as("only a running backfill or re-sync is paused: %s", describe(stored))
          .isTrue();
      if (EnumSet.of(Phase.BACKFILLED, Phase.VERIFIED, Phase.READ_NEW).contains(stored.phase())
          && !stored.resyncOld()) {
        assertThat(stored.cursorKey())
            .as(
                "the run that completed the new schema copied up to its upper key: %s",
                describe(stored))
            .isEqualTo(stored.upperKey());
        checkConverged(stored);
      }
    }

    /** Invariant 6: what an instance applies follows the state it holds, whatever the flags say. */
    private void checkRouting(Node node) {
      MigrationState state = node.ec.state(EMAIL);
      int percent = prescribedPercent(state);
      assertThat(node.ec.router().writeOld(state))
          .as("invariant 6: %s writes old in %s", node.name, describe(state))
          .isEqualTo(state.phase().writesOld());
      List<Long> contradicting = new ArrayList<>();
      for (long key = 1; key < nextKey; key++) {
        if (node.ec.router().readNew(state, key)
            != StickyPercentage.readsNew(EMAIL, key, percent)) {
          contradicting.add(key);
        }
      }
      assertThat(contradicting)
          .as(
              "invariant 6: keys %s routes against %s (%d%% new)",
              node.name, describe(state), percent)
          .isEmpty();
    }

    /** Invariant 6 as the fleet sees it: each heartbeat reports the routing of its state. */
    private void checkHeartbeats(MigrationState stored) {
      Set<String> alive = live().stream().map(n -> n.name).collect(Collectors.toSet());
      for (InstanceView view :
          nodes.get(0).ec.store().instances().liveInstances(EMAIL, Instant.EPOCH)) {
        MigrationState seen = statesSeen.get(view.versionSeen());
        if (!alive.contains(view.instanceId()) || seen == null) {
          continue;
        }
        assertThat(List.of(view.readPercentApplied(), view.writesOldApplied()))
            .as(
                "invariant 6: what %s reports for %s (now %s)",
                view.instanceId(), describe(seen), describe(stored))
            .isEqualTo(List.of(prescribedPercent(seen), seen.phase().writesOld()));
      }
    }

    /**
     * Invariant 1: each acknowledged write reads back, through this instance's routing, as written
     * last; a deleted key stays deleted.
     */
    private void checkAcknowledgedWrites(Node node) throws SQLException {
      MigrationState state = node.ec.state(EMAIL);
      List<Long> fromNew = new ArrayList<>();
      List<Long> fromOld = new ArrayList<>();
      for (long key = 1; key < nextKey; key++) {
        (node.ec.router().readNew(state, key) ? fromNew : fromOld).add(key);
      }
      Map<Long, String> read = new LinkedHashMap<>();
      try (Connection connection = pool.getConnection()) {
        node.ec
            .rows(EMAIL)
            .readNew(connection, fromNew, ValueForm.NEW)
            .forEach((key, values) -> read.put(((Number) key).longValue(), (String) values.get(0)));
        if (!fromOld.isEmpty()) {
          node.ec
              .rows(EMAIL)
              .readOld(connection, fromOld, ValueForm.OLD)
              .forEach(
                  (key, values) ->
                      read.put(
                          ((Number) key).longValue(),
                          (String) Customers.normalized(values.get(0))));
        }
      }
      List<String> lost = new ArrayList<>();
      for (long key = 1; key < nextKey; key++) {
        boolean exists = acknowledged.containsKey(key);
        if (exists != read.containsKey(key)) {
          lost.add(key + (exists ? " missing" : " resurrected after its delete"));
        } else if (exists && !Objects.equals(acknowledged.get(key), read.get(key))) {
          lost.add(
              key
                  + " read "
                  + read.get(key)
                  + " from "
                  + (fromNew.contains(key) ? "new" : "old")
                  + ", acknowledged "
                  + acknowledged.get(key));
        }
      }
      assertThat(lost)
          .as(
              "invariant 1: acknowledged writes %s reads otherwise in %s",
              node.name, describe(state))
          .isEmpty();
    }

    /** Invariant 2: once the new schema is complete, new = transform(old) on every row. */
    private void checkConverged(MigrationState stored) {
      List<String> differ = new ArrayList<>();
      for (List<Object> row :
          TestSql.rows(pool, "SELECT id, email, email_normalized FROM customers ORDER BY id")) {
        if (!Objects.equals(Customers.normalized(row.get(1)), row.get(2))) {
          differ.add(row.get(0) + ": old " + row.get(1) + ", new " + row.get(2));
        }
      }
      assertThat(differ)
          .as("invariant 2: rows where new != transform(old) in %s", describe(stored))
          .isEmpty();
    }

    // ---- helpers ----------------------------------------------------------------------------

    private MigrationState storedState() {
      return nodes.get(0).ec.store().load(EMAIL).orElseThrow();
    }

    private List<Node> live() {
      return nodes.stream().filter(n -> n.alive).toList();
    }

    /** The live instance holding the oldest state: the one a lagging refresh leaves behind. */
    private Node laggiest() {
      return live().stream()
          .min(Comparator.comparingLong(n -> n.ec.state(EMAIL).version()))
          .orElseThrow();
    }

    private Node randomLive() {
      List<Node> live = live();
      return live.get(random.nextInt(live.size()));
    }
  }

  /** The share of keys a state reads from new: 100 whenever the old schema is not complete. */
  private static int prescribedPercent(MigrationState state) {
    if (state.phase().mustReadNew() || state.resyncOld()) {
      return 100;
    }
    return state.phase().mayReadNew() ? state.readPercent() : 0;
  }

  private static String describe(MigrationState state) {
    return state.phase()
        + (state.phase() == Phase.READ_NEW ? " " + state.readPercent() + "%" : "")
        + (state.resyncOld() ? " re-syncing" : "")
        + (state.paused() ? " paused" : "")
        + " v"
        + state.version();
  }
}
