package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.flags.Ff4jMigrationFlags;
import dev.expandcontract.core.flags.Ff4jSchema;
import dev.expandcontract.core.flags.FlagRouter;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.ff4j.FF4j;
import org.ff4j.cache.FF4jCacheProxy;
import org.ff4j.cache.InMemoryCacheManager;
import org.ff4j.core.Feature;
import org.ff4j.property.store.InMemoryPropertyStore;
import org.ff4j.store.JdbcFeatureStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Invariant 6 with FF4j's JDBC store behind its cache, as the starter sets it up: a flag flipped in
 * the store against the state is never obeyed, in any phase; it is reported and written back; what
 * an instance reports to the fleet is what it applies; and a routing decision never touches the
 * database, however old the cache or slow the flag store.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractFlagsTest {

  private static final int ROWS = 200;
  private static final String EMAIL = Customers.EMAIL;
  private static final String READ_NEW = EMAIL + ".read-new";
  private static final String WRITE_OLD = EMAIL + ".write-old";

  private HikariDataSource pool;
  private CountingDataSource database;
  private FF4j console;
  private final List<String> overrides = new CopyOnWriteArrayList<>();
  private final List<ExpandContract> instances = new CopyOnWriteArrayList<>();

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    pool = database().create("flags_" + database().name().toLowerCase());
    database = new CountingDataSource(pool);
    Customers.recreate(pool);
    Ff4jSchema.createIfAbsent(pool, new JdbcFeatureStore(pool));
    // An operator's FF4j console: the store itself, no cache.
    console = new FF4j();
    console.setFeatureStore(new JdbcFeatureStore(pool));
  }

  @AfterAll
  void closeDatabase() {
    pool.close();
  }

  @BeforeEach
  void freshState() {
    Customers.recreate(pool);
    console.getFeatureStore().clear();
    Customers.seed(pool, ROWS, 11);
    overrides.clear();
    database.comeBack();
    database.reset();
  }

  @AfterEach
  void letTheDatabaseAnswer() {
    database.answer();
    database.comeBack();
  }

  /** FF4j as the starter builds it: the JDBC store behind an in-memory cache with this TTL. */
  private static FF4j cachedFf4j(DataSource dataSource, long ttlSeconds) {
    FF4j ff4j = new FF4j();
    ff4j.setFeatureStore(
        new FF4jCacheProxy(
            new JdbcFeatureStore(dataSource),
            new InMemoryPropertyStore(),
            new InMemoryCacheManager(ttlSeconds)));
    return ff4j;
  }

  private ExpandContract instance(String id, DataSource stateStore, FF4j ff4j) {
    ExpandContract ec =
        ExpandContract.builder(stateStore)
            .migration(Customers.emailModel(true, Customers.smallBatches(ROWS)).migration())
            .flags(new Ff4jMigrationFlags(ff4j))
            .listener(
                new ExpandContractListener() {
                  @Override
                  public void flagOverridden(String migrationId, String flag, String reason) {
                    overrides.add(id + ":" + flag);
                  }
                })
            .instanceId(id)
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
    instances.add(ec);
    return ec;
  }

  private static MigrationState driveTo(ExpandContract ec, Phase phase, int percent) {
    ec.control().startBackfill(EMAIL, "test");
    BatchOutcome outcome;
    do {
      outcome = runBatch(ec);
    } while (outcome == BatchOutcome.COPIED);
    assertThat(outcome).isEqualTo(BatchOutcome.FINISHED);
    if (phase.compareTo(Phase.VERIFIED) >= 0) {
      assertThat(ec.control().verify(EMAIL, "test").mismatches()).isZero();
    }
    if (phase.compareTo(Phase.READ_NEW) >= 0) {
      ec.control().readNew(EMAIL, percent, "test");
    }
    return ec.state(EMAIL);
  }

  private static BatchOutcome runBatch(ExpandContract ec) {
    try {
      return ec.backfill().runBatch(EMAIL);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long keysReadingNew(ExpandContract ec) {
    MigrationState state = ec.state(EMAIL);
    long count = 0;
    for (long key = 1; key <= ROWS; key++) {
      if (ec.router().readNew(state, key)) {
        count++;
      }
    }
    return count;
  }

  /** Until FF4j's cache no longer holds the feature, so that FF4j would read it from the store. */
  private static void awaitCacheExpiry(FF4j ff4j, String feature) {
    InMemoryCacheManager cache =
        (InMemoryCacheManager) ((FF4jCacheProxy) ff4j.getFeatureStore()).getCacheManager();
    Poll.until(
        Duration.ofSeconds(10),
        "FF4j's cache entry of " + feature + " expired",
        () -> cache.getFeature(feature) == null);
  }

  private InstanceView heartbeatOf(ExpandContract ec, String instanceId) {
    return ec.store().instances().liveInstances(EMAIL, Instant.EPOCH).stream()
        .filter(i -> i.instanceId().equals(instanceId))
        .findFirst()
        .orElseThrow();
  }

  // ---- defect 2: a read flag against the state in READ_NEW -----------------------------------

  @Test
  void readNewTurnedOffInTheStoreAtFullReadsIsNotObeyedReportedAndWrittenBack() {
    ExpandContract a = instance("a", pool, cachedFf4j(pool, 1));
    FF4j ff4jOfB = cachedFf4j(pool, 1);
    ExpandContract b = instance("b", pool, ff4jOfB);
    driveTo(a, Phase.READ_NEW, 100);
    b.refresh();
    assertThat(keysReadingNew(b)).as("b reads new at 100 percent").isEqualTo(ROWS);

    // An operator turns read-new off in FF4j's console, against READ_NEW 100%.
    console.getFeatureStore().disable(READ_NEW);
    b.refresh();
    awaitCacheExpiry(ff4jOfB, READ_NEW);
    b.refresh();

    assertThat(keysReadingNew(b)).as("keys b reads from new with read-new off").isEqualTo(ROWS);
    assertThat(overrides).as("contradictions reported").containsOnly("b:read-new");
    assertThat(heartbeatOf(b, "b").readPercentApplied()).as("what b reports").isEqualTo(100);
    assertThat(console.getFeatureStore().read(READ_NEW).isEnable())
        .as("read-new written back to the store")
        .isTrue();
    overrides.clear();
    a.refresh();
    assertThat(overrides).as("nothing left to report once written back").isEmpty();
  }

  @Test
  void aReadRampChangedInTheStoreIsNotObeyedInAnyPhase() {
    FF4j ff4j = cachedFf4j(pool, 1);
    ExpandContract a = instance("a", pool, ff4j);
    driveTo(a, Phase.READ_NEW, 10);
    long atTen = keysReadingNew(a);

    // The console sets the ramp to 100% while the state says 10%.
    Feature all = console.getFeatureStore().read(READ_NEW);
    all.setFlippingStrategy(new Ff4jMigrationFlags.StickyPercentageStrategy(100));
    console.getFeatureStore().update(all);
    a.refresh();
    awaitCacheExpiry(ff4j, READ_NEW);
    assertThat(keysReadingNew(a))
        .as("keys reading new, state 10 percent, flag 100")
        .isEqualTo(atTen);
    assertThat(overrides).containsExactly("a:read-new");

    // Back to reads from old: the flag turned on again is not obeyed either.
    a.control().rollback(EMAIL, "test");
    Feature again = console.getFeatureStore().read(READ_NEW);
    again.setEnable(true);
    again.setFlippingStrategy(new Ff4jMigrationFlags.StickyPercentageStrategy(100));
    console.getFeatureStore().update(again);
    overrides.clear();
    a.refresh();
    awaitCacheExpiry(ff4j, READ_NEW);
    assertThat(keysReadingNew(a)).as("keys reading new after a rollback").isZero();
    assertThat(overrides).containsExactly("a:read-new");
  }

  @Test
  void writeOldTurnedOffInTheStoreIsNotObeyedAndTheFleetGuardSeesTheRoutingApplied() {
    ExpandContract a = instance("a", pool, cachedFf4j(pool, 1));
    MigrationState state = driveTo(a, Phase.READ_NEW, 100);
    console.getFeatureStore().disable(WRITE_OLD);
    a.refresh();
    assertThat(a.router().writeOld(a.state(EMAIL))).isTrue();
    assertThat(overrides).containsExactly("a:write-old");

    // The heartbeat reports what a applies: 100% new, and still writing old.
    a.refresh();
    InstanceView view = heartbeatOf(a, "a");
    assertThat(view.readPercentApplied()).isEqualTo(100);
    assertThat(view.writesOldApplied()).isTrue();
    assertThat(view.versionSeen()).isEqualTo(state.version());

    // A heartbeat reporting reads old for part of the keys holds stop-old-writes back.
    a.store().instances().heartbeat("half-routed", state, 60, true);
    assertThatThrownBy(() -> a.control().stopOldWrites(EMAIL, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining(
            "half-routed (saw READ_NEW version "
                + state.version()
                + ", reads 60% new, writes old)");
  }

  @Test
  void flagsLaggingBehindTheStateAreWrittenBackWithoutAReport() {
    ExpandContract a = instance("a", pool, cachedFf4j(pool, 1));
    ExpandContract b = instance("b", pool, cachedFf4j(pool, 1));
    driveTo(a, Phase.VERIFIED, 0);
    b.refresh();
    // a moves the state on but dies before writing the flags: they still say VERIFIED.
    MigrationState verified = a.state(EMAIL);
    a.control().readNew(EMAIL, 100, "test");
    new Ff4jMigrationFlags(console).apply(verified);

    b.refresh();
    assertThat(overrides).as("a lag is not a contradiction").isEmpty();
    assertThat(keysReadingNew(b)).isEqualTo(ROWS);
    Feature readNew = console.getFeatureStore().read(READ_NEW);
    assertThat(readNew.isEnable()).as("read-new brought up to the state").isTrue();
    assertThat(readNew.getFlippingStrategy().getInitParams()).containsEntry("percent", "100");
  }

  // ---- several instances write and read the same flags at once -----------------------------

  /** Each instance refreshes this many times in a thread of its own, all at once. */
  private static final int CONCURRENT_REFRESHES = 150;

  @Test
  void instancesWritingBackTheSameFlagsAtOnceDoNotFailEachOthersRefresh() throws Exception {
    List<ExpandContract> fleet =
        List.of(
            instance("a", pool, cachedFf4j(pool, 1)),
            instance("b", pool, cachedFf4j(pool, 1)),
            instance("c", pool, cachedFf4j(pool, 1)));
    driveTo(fleet.get(0), Phase.READ_NEW, 100);
    fleet.forEach(ExpandContract::refresh);

    // An operator keeps turning read-new off: every instance writes it back, at the same time.
    List<Throwable> failures =
        refreshingAtOnce(fleet, () -> console.getFeatureStore().disable(READ_NEW));

    assertThat(failures).as("refreshes that failed").isEmpty();
    fleet.get(0).refresh();
    assertThat(console.getFeatureStore().read(READ_NEW).isEnable())
        .as("read-new written back")
        .isTrue();
  }

  @Test
  void flagsCaughtHalfWrittenByAnotherInstanceAreNeitherReportedNorAFailure() throws Exception {
    ExpandContract mover = instance("mover", pool, cachedFf4j(pool, 1));
    List<ExpandContract> fleet =
        List.of(instance("b", pool, cachedFf4j(pool, 1)), instance("c", pool, cachedFf4j(pool, 1)));
    driveTo(mover, Phase.READ_NEW, 1);
    fleet.forEach(ExpandContract::refresh);

    // The mover ramps reads up: each step writes four features that b and c read meanwhile.
    int[] percent = {1};
    List<Throwable> failures =
        refreshingAtOnce(
            fleet, () -> mover.control().readNew(EMAIL, 1 + percent[0]++ % 99, "test"));

    assertThat(failures).as("refreshes that failed").isEmpty();
    assertThat(overrides)
        .as("contradictions reported while nobody but the library wrote")
        .isEmpty();
  }

  @Test
  void aFlagReplacedWithoutItsStateVersionIsReportedOnceTwoRefreshesFindItSo() {
    ExpandContract a = instance("a", pool, cachedFf4j(pool, 1));
    driveTo(a, Phase.READ_NEW, 100);
    a.refresh();

    // The console replaces read-new with a feature of its own: off, and no state version.
    console.getFeatureStore().delete(READ_NEW);
    console.getFeatureStore().create(new Feature(READ_NEW, false));
    a.refresh();
    assertThat(overrides).as("reported after one refresh (it may be another writer's)").isEmpty();
    a.refresh();

    assertThat(overrides).containsExactly("a:read-new");
    assertThat(console.getFeatureStore().read(READ_NEW).isEnable())
        .as("read-new written back")
        .isTrue();
    assertThat(keysReadingNew(a)).isEqualTo(ROWS);
  }

  /**
   * Runs {@link #CONCURRENT_REFRESHES} refreshes of every instance, each instance in a thread of
   * its own, while this thread repeats {@code meanwhile}; answers what the refreshes threw.
   */
  private static List<Throwable> refreshingAtOnce(List<ExpandContract> fleet, Runnable meanwhile)
      throws Exception {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(fleet.size());
    List<CompletableFuture<Void>> refreshing =
        fleet.stream()
            .map(
                ec ->
                    CompletableFuture.runAsync(
                        () -> {
                          for (int i = 0; i < CONCURRENT_REFRESHES; i++) {
                            try {
                              ec.refresh();
                            } catch (RuntimeException e) {
                              failures.add(e);
                            }
                          }
                        },
                        threads))
            .toList();
    CompletableFuture<Void> all =
        CompletableFuture.allOf(refreshing.toArray(CompletableFuture[]::new));
    while (!all.isDone()) {
      meanwhile.run();
    }
    all.get(30, TimeUnit.SECONDS);
    threads.shutdown();
    return failures;
  }

  // ---- writing the phase's flags repairs the store, not just the cache -----------------------

  @Test
  void applyingThePhaseFlagsRepairsAStoredValueThatDiffersFromTheCachedOne() {
    FF4j ff4j = cachedFf4j(pool, 3600);
    Ff4jMigrationFlags flags = new Ff4jMigrationFlags(ff4j);
    ExpandContract a = instance("a", pool, ff4j);
    MigrationState state = driveTo(a, Phase.VERIFIED, 0);
    assertThat(ff4j.getFeatureStore().read(WRITE_OLD).isEnable()).as("cached").isTrue();

    console.getFeatureStore().disable(WRITE_OLD); // the store changes behind the cache
    flags.apply(state);

    assertThat(console.getFeatureStore().read(WRITE_OLD).isEnable())
        .as("write-old in the store after the phase's flags were written")
        .isTrue();
  }

  // ---- the request path never touches the database -------------------------------------------

  @Test
  void routingDecisionsRunNoStatementEvenAfterTheFlagCacheExpired() {
    FF4j ff4j = cachedFf4j(database, 1);
    ExpandContract a = instance("a", database, ff4j);
    driveTo(a, Phase.READ_NEW, 50);
    a.refresh();
    awaitCacheExpiry(ff4j, READ_NEW);

    database.reset();
    long readsNew = 0;
    for (int i = 0; i < 10_000; i++) {
      MigrationState state = a.state(EMAIL);
      FlagRouter router = a.router();
      readsNew += router.readNew(state, (long) i) ? 1 : 0;
      assertThat(router.writeOld(state)).isTrue();
      assertThat(router.shadowRead(state)).isFalse();
    }

    assertThat(database.statements()).as("statements for 10,000 routed decisions").isZero();
    assertThat(database.connectionsAsked()).as("connections asked for").isZero();
    assertThat(readsNew).as("keys reading new at 50 percent").isBetween(4_500L, 5_500L);
  }

  @Test
  void aSlowOrUnreachableFlagStoreDoesNotStallRoutingDecisions() throws Exception {
    // The flags in a database of their own, so that only the flag store is slow.
    ExpandContract a = instance("a", pool, cachedFf4j(database, 1));
    driveTo(a, Phase.READ_NEW, 100);
    a.refresh();
    database.reset();

    database.hold();
    CompletableFuture<Void> refresh = CompletableFuture.runAsync(a::refresh);
    Poll.until(
        Duration.ofSeconds(10),
        "the refresh waits for the flag store",
        () -> database.connectionsAsked() > 0);
    long started = System.nanoTime();
    assertThat(keysReadingNew(a)).isEqualTo(ROWS);
    assertThat(a.router().writeOld(a.state(EMAIL))).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("routing while the flag store hangs")
        .isLessThan(Duration.ofSeconds(1));
    assertThat(refresh).as("the refresh is still waiting").isNotDone();
    database.answer();
    refresh.get(10, TimeUnit.SECONDS);

    database.goDown();
    assertThatThrownBy(a::refresh).hasMessageContaining("cannot load the flags of");
    assertThat(keysReadingNew(a)).as("routing with the flag store down").isEqualTo(ROWS);
  }
}
