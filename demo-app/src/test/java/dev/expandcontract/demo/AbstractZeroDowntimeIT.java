package dev.expandcontract.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.demo.DemoClient.Response;
import dev.expandcontract.test.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The end-to-end zero-downtime proof of issue 6, against the real demo: the executable jar run as a
 * separate JVM on a fresh database of one engine (one ~20-line subclass per engine).
 *
 * <p>With 20,000 seeded customers and concurrent HTTP writers (create, update, delete) and readers
 * (by id, and by email through the routed query) running the whole time, both migrations go
 * start-backfill → BACKFILLED → verify → read-new 10 → 50 → 100 → stop-old-writes → contract. In
 * the middle of the address backfill the demo is killed with SIGKILL and started again on the same
 * database; the backfill must go on from its checkpoint. The traffic is drained before the kill and
 * resumed once the new process is up, so that no request is in flight across the outage; every
 * request outside it counts.
 *
 * <p>Asserted: no 5xx and no transport error; every answer equals the last acknowledged write of
 * its id ({@link CustomerTraffic}); guard refusals are 409 and change neither phase nor read
 * percentage nor schema; after both contracts, done under traffic with no restart, the old columns
 * are gone, the service still serves, and the database holds exactly the acknowledged writes —
 * every live customer with its normalized email and its address row, no row of a deleted one.
 */
abstract class AbstractZeroDowntimeIT {

  static final int SEED_ROWS = 20_000;
  static final String EMAIL = "customer-email";
  static final String ADDRESS = "customer-address";
  static final List<String> MIGRATIONS = List.of(EMAIL, ADDRESS);
  private static final List<String> OLD_COLUMNS = List.of("email", "street", "city", "zip");
  private static final Duration STARTUP = Duration.ofSeconds(150);
  private static final Duration STEP = Duration.ofSeconds(60);

  /** Writes and reads the traffic must get acknowledged in each step before the next one. */
  private static final int STEP_WRITES = 60;

  private static final int STEP_READS = 100;

  private final Map<String, Long> timings = new LinkedHashMap<>();
  private final List<String> refusals = new ArrayList<>();
  private final List<DemoProcess> demos = new ArrayList<>();
  private final String adminPassword = UUID.randomUUID().toString();
  private long lastMark;
  private HikariDataSource db;
  private DemoProcess demo;
  private CustomerTraffic traffic;
  private volatile String firstFailureDiagnostics = "";

  /** The engine the demo runs on. */
  abstract TestDatabase engine();

  /** The test database's name (prefixed by {@code EC_TEST_DB_PREFIX}). */
  abstract String databaseName();

  /** SQL naming the schema the demo's tables are in, for information_schema. */
  abstract String currentSchemaSql();

  /** What the engine can tell about a failure (e.g. its latest deadlock); empty by default. */
  String diagnostics(Connection connection) throws SQLException {
    return "";
  }

  @Test
  void migratesBothUnderTrafficThroughACrashWithoutDowntime() throws Throwable {
    lastMark = System.nanoTime();
    long started = lastMark;
    db = engine().create(databaseName());
    Throwable failure = null;
    try {
      lifecycle();
    } catch (Throwable t) {
      failure = t;
      throw t;
    } finally {
      try {
        if (traffic != null) {
          traffic.shutdown();
        }
        if (failure != null) {
          reportFailure();
        }
      } finally {
        for (DemoProcess d : demos) {
          d.stop();
        }
        db.close();
        System.out.printf(
            Locale.ROOT,
            "%n=== %s: %s in %d s ===%nsteps (seconds):%n%s%ntraffic per step:%n%s%n"
                + "guard refusals (409):%n  %s%n",
            getClass().getSimpleName(),
            failure == null ? "PASSED" : "FAILED",
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
            timingsText(),
            traffic == null ? "" : traffic.summary(),
            String.join("\n  ", refusals));
      }
    }
  }

  private void lifecycle() throws Exception {
    Path jar = DemoProcess.executableJar();

    // 1. The real demo, seeding 20,000 customers into the old columns.
    demo = startDemo(jar, 1);
    JsonNode seeded = demo.client().awaitSeeded(STEP);
    assertThat(seeded.at("/details/state").asString()).as("seeding: %s", seeded).isEqualTo("DONE");
    assertThat(seeded.at("/details/rows").asLong()).isEqualTo(SEED_ROWS);
    Map<Long, CustomerRequest> seededRows = seededRows();
    assertThat(seededRows).hasSize(SEED_ROWS);
    mark("demo started and seeded " + SEED_ROWS + " rows");

    // 2. Traffic for the whole lifecycle.
    traffic = new CustomerTraffic(seededRows, demo.client(), this::captureDiagnostics);
    traffic.step("EXPANDED");
    traffic.start(3, 2);
    traffic.awaitProgress(STEP_WRITES, STEP_READS, STEP);
    for (String migration : MIGRATIONS) {
      assertRefused(migration, "contract", null);
      assertRefused(migration, "stop-old-writes", null);
      assertRefused(migration, "read-new", 10);
      assertRefused(migration, "verify", null);
    }
    mark("EXPANDED under traffic, guards refused early actions");

    // 3. Both backfills at once, on the same table, under traffic.
    traffic.step("BACKFILLING (first process)");
    for (String migration : MIGRATIONS) {
      Response started = client().action(migration, "start-backfill");
      assertThat(started.status()).as(started.body()).isEqualTo(200);
      assertThat(started.at("/migration/phase").asString()).isEqualTo("BACKFILLING");
    }
    crashMidBackfillAndRestart();

    // 4. Both backfills finish; verification finds nothing to fix.
    awaitBackfilled(EMAIL);
    traffic.step("BACKFILLED");
    traffic.awaitProgress(STEP_WRITES, STEP_READS, STEP);
    assertRefused(EMAIL, "read-new", 10);
    assertRefused(ADDRESS, "stop-old-writes", null);
    traffic.step("verify");
    for (String migration : MIGRATIONS) {
      Response verified = client().action(migration, "verify");
      assertThat(verified.status()).as(verified.body()).isEqualTo(200);
      assertThat(verified.at("/verification/mismatched").asLong()).as(verified.body()).isZero();
      assertThat(verified.at("/migration/phase").asString()).isEqualTo("VERIFIED");
    }
    traffic.awaitProgress(STEP_WRITES, STEP_READS, STEP);
    mark("both BACKFILLED and VERIFIED (0 mismatches)");

    // 5. Reads switch to new: 10% → 50% → 100% of keys, sticky per key.
    for (int percent : new int[] {10, 50, 100}) {
      traffic.step("READ_NEW " + percent + "%");
      traffic.readNewRequested(percent);
      for (String migration : MIGRATIONS) {
        Response ramped = client().readNew(migration, percent);
        assertThat(ramped.status()).as(ramped.body()).isEqualTo(200);
        assertThat(ramped.at("/migration/phase").asString()).isEqualTo("READ_NEW");
        assertThat(ramped.at("/migration/readPercent").asInt()).isEqualTo(percent);
      }
      for (String migration : MIGRATIONS) {
        awaitFleetReads(migration, percent);
      }
      traffic.readNewAcknowledged(percent);
      traffic.awaitProgress(STEP_WRITES, STEP_READS, STEP);
      for (String migration : MIGRATIONS) {
        if (percent < 100) {
          assertRefused(migration, "stop-old-writes", null);
        }
        assertRefused(migration, "contract", null);
      }
      mark("READ_NEW " + percent + "% acknowledged by the instance");
    }

    // 6. Writes to the old schema stop (after the soak time and the fleet's acknowledgement).
    traffic.step("NEW_ONLY");
    for (String migration : MIGRATIONS) {
      Response stopped = client().actionWhenAllowed(migration, "stop-old-writes", STEP);
      assertThat(stopped.status()).as(stopped.body()).isEqualTo(200);
      assertThat(stopped.at("/migration/phase").asString()).isEqualTo("NEW_ONLY");
    }
    traffic.awaitProgress(STEP_WRITES, STEP_READS, STEP);
    mark("both NEW_ONLY");

    // 7. Contract under traffic: the old columns are dropped while the service serves.
    assertThat(columns("customers")).containsAll(OLD_COLUMNS);
    for (String migration : MIGRATIONS) {
      traffic.step("contract " + migration);
      Response contracted = client().actionWhenAllowed(migration, "contract", STEP);
      assertThat(contracted.status()).as(contracted.body()).isEqualTo(200);
      assertThat(contracted.at("/migration/phase").asString()).isEqualTo("CONTRACTED");
      traffic.awaitProgress(STEP_WRITES, STEP_READS, STEP);
    }
    assertThat(columns("customers"))
        .as("customers after both contracts")
        .doesNotContainAnyElementsOf(OLD_COLUMNS)
        .contains("id", "name", "email_normalized");
    assertThat(columns("customer_addresses"))
        .containsExactlyInAnyOrder("customer_id", "street", "city", "postal_code");
    mark("both CONTRACTED, old columns dropped under traffic");

    // 8. The same process keeps serving after contract; then everything is checked.
    traffic.step("CONTRACTED (same process, no restart)");
    traffic.awaitProgress(5 * STEP_WRITES, 5 * STEP_READS, STEP);
    assertThat(demo.isAlive()).as("the demo process after contract").isTrue();
    assertThat(demos).hasSize(2); // the crash restart only; none after contract
    traffic.stop();
    mark("traffic after contract, then stopped");

    // Every check runs, so that a failure report shows all that went wrong, not the first.
    List<AssertionError> failed = new ArrayList<>();
    check(
        failed,
        () ->
            assertThat(traffic.failures())
                .as(
                    "5xx: %d, transport errors: %d, wrong answers: %d",
                    traffic.serverErrors(), traffic.transportErrors(), traffic.violations())
                .isEmpty());
    check(failed, () -> assertThat(traffic.failureCount()).as("failed requests").isZero());
    check(failed, this::assertEveryStepHadTraffic);
    check(failed, this::assertDatabaseMatchesAcknowledgedWrites);
    check(failed, this::assertNoShadowReadMismatches);
    check(
        failed,
        () -> {
          Response health = client().get("/actuator/health");
          assertThat(health.status()).as(health.body()).isEqualTo(200);
        });
    if (!failed.isEmpty()) {
      AssertionError all =
          new AssertionError(
              failed.size()
                  + " final check(s) failed:\n"
                  + String.join("\n", failed.stream().map(AssertionError::getMessage).toList()));
      failed.forEach(all::addSuppressed);
      throw all;
    }
    mark("database matches every acknowledged write");
  }

  /** A final check, whose failure is collected rather than thrown at once. */
  private interface Check {
    void run() throws Exception;
  }

  private static void check(List<AssertionError> failed, Check check) throws Exception {
    try {
      check.run();
    } catch (AssertionError e) {
      failed.add(e);
    }
  }

  /**
   * Kills the demo with SIGKILL after the address backfill's first checkpoint, restarts it on the
   * same database, and follows the backfill until it has finished from where it stopped.
   */
  private void crashMidBackfillAndRestart() throws Exception {
    JsonNode mid =
        client()
            .awaitStatus(
                ADDRESS,
                s -> s.path("rowsDone").asLong() > 0 || !phase(s).equals("BACKFILLING"),
                STEP);
    assertThat(phase(mid))
        .as("the address backfill must still run when the crash comes: %s", mid)
        .isEqualTo("BACKFILLING");
    long rowsDoneSeen = mid.path("rowsDone").asLong();
    mark("address backfill past its first checkpoint (" + rowsDoneSeen + " rows)");

    traffic.pause();
    traffic.step("(crash window: traffic paused)");
    long crashStarted = System.nanoTime();
    demo.kill();
    State checkpoint = state(ADDRESS); // the dead process commits nothing more: this is final
    State emailBefore = state(EMAIL);
    assertThat(checkpoint.phase()).isEqualTo("BACKFILLING");
    assertThat(checkpoint.rowsDone())
        .as("rows_done at the kill")
        .isGreaterThanOrEqualTo(rowsDoneSeen);
    assertThat(checkpoint.cursor()).as("checkpointed cursor").isNotNull();
    assertThat(checkpoint.cursor())
        .as("killed mid-backfill: cursor below the upper key %s", checkpoint.upper())
        .isLessThan(checkpoint.upper());
    assertThat(checkpoint.claimOwner()).as("the killed instance's claim").isNotNull();
    mark(
        "SIGKILL at address cursor "
            + checkpoint.cursor()
            + " of "
            + checkpoint.upper()
            + " ("
            + checkpoint.rowsDone()
            + " rows done); email "
            + emailBefore.phase()
            + " at cursor "
            + emailBefore.cursor()
            + " of "
            + emailBefore.upper());

    demo = startDemo(DemoProcess.executableJar(), 2);
    JsonNode reseeded = demo.client().awaitSeeded(STEP);
    assertThat(reseeded.at("/details/state").asString()).isEqualTo("SKIPPED");
    JsonNode resumed = status(ADDRESS);
    assertThat(phase(resumed)).isEqualTo("BACKFILLING");
    assertThat(resumed.path("rowsDone").asLong())
        .as("rows done after the restart, from the checkpoint, not from 0")
        .isGreaterThanOrEqualTo(checkpoint.rowsDone());
    if (emailBefore.phase().equals("BACKFILLING") && emailBefore.cursor() != null) {
      // The email backfill was cut mid-way too: its checkpoint survives the restart as well.
      State emailAfter = state(EMAIL);
      assertThat(emailAfter.cursor()).as("email cursor after the restart").isNotNull();
      assertThat(emailAfter.cursor()).isGreaterThanOrEqualTo(emailBefore.cursor());
      assertThat(emailAfter.rowsDone()).isGreaterThanOrEqualTo(emailBefore.rowsDone());
    }
    traffic.step("BACKFILLING (restarted process)");
    traffic.resume(demo.client());
    long windowMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashStarted);
    mark("restarted on the same database; traffic paused for " + windowMillis + " ms in all");

    // The dead instance's claim holds until its lease expires: nothing moves, guards still hold.
    State waiting = state(ADDRESS);
    if (waiting.cursor().equals(checkpoint.cursor())) {
      assertRefused(ADDRESS, "contract", null);
      assertRefused(ADDRESS, "read-new", 10);
    }

    // Follow the resumed backfill batch by batch: cursor and rows only ever move on from the
    // checkpoint; the restarted instance takes the claim over.
    long followStarted = System.nanoTime();
    long lastCursor = checkpoint.cursor();
    long lastRows = checkpoint.rowsDone();
    long resumedAfterMillis = -1;
    int batches = 0;
    Set<String> owners = new TreeSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    State now = checkpoint;
    while (now.phase().equals("BACKFILLING")) {
      assertThat(System.nanoTime())
          .as("address backfill finished after the restart")
          .isLessThan(deadline);
      DemoProcess.pause(Duration.ofMillis(25));
      now = state(ADDRESS);
      assertThat(now.rowsDone()).as("rows_done never goes back").isGreaterThanOrEqualTo(lastRows);
      if (now.cursor() != null) {
        assertThat(now.cursor()).as("cursor never goes back").isGreaterThanOrEqualTo(lastCursor);
        if (now.cursor() > lastCursor) {
          batches++;
          if (resumedAfterMillis < 0) {
            resumedAfterMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - crashStarted);
          }
          lastCursor = now.cursor();
          if (now.claimOwner() != null) {
            owners.add(now.claimOwner()); // the instance that committed this batch
          }
        }
      } else {
        assertThat(now.phase()).as("cursor reset while %s", now).isNotEqualTo("BACKFILLING");
      }
      lastRows = now.rowsDone();
    }
    assertThat(now.phase()).isEqualTo("BACKFILLED");
    assertThat(owners)
        .as("owners of the claim while batches moved after the restart")
        .isNotEmpty()
        .doesNotContain(checkpoint.claimOwner());
    JsonNode done = status(ADDRESS);
    assertThat(done.path("rowsDone").asLong()).isGreaterThan(checkpoint.rowsDone());
    mark(
        String.format(
            Locale.ROOT,
            "address backfill resumed from cursor %d %d ms after the kill (dead claim's lease),"
                + " then %d+ batches by %s to BACKFILLED in %d ms; rows done %d (total estimate"
                + " %d)",
            checkpoint.cursor(),
            resumedAfterMillis,
            batches,
            owners,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - followStarted),
            done.path("rowsDone").asLong(),
            done.path("rowsTotal").asLong()));
  }

  private void awaitBackfilled(String migration) {
    JsonNode backfilled =
        client()
            .awaitStatus(migration, s -> !phase(s).equals("BACKFILLING"), Duration.ofSeconds(150));
    assertThat(phase(backfilled)).as("%s", backfilled).isEqualTo("BACKFILLED");
  }

  /** Until every live instance's heartbeat shows reads from new at this percentage. */
  private void awaitFleetReads(String migration, int percent) {
    client()
        .awaitStatus(
            migration,
            s -> {
              JsonNode instances = s.path("instances");
              if (instances.isEmpty()) {
                return false;
              }
              for (JsonNode instance : instances) {
                if (!instance.path("phase").asString().equals("READ_NEW")
                    || instance.path("readPercent").asInt() != percent) {
                  return false;
                }
              }
              return true;
            },
            STEP);
  }

  /**
   * A guard refuses: 409 with a reason, and neither the phase, the read percentage, the transition
   * history nor (for contract) the schema changed.
   */
  private void assertRefused(String migration, String action, Integer percent) throws SQLException {
    JsonNode before = status(migration);
    List<String> columnsBefore = columns("customers");
    Response refused =
        percent == null ? client().action(migration, action) : client().readNew(migration, percent);
    String what = migration + " " + action + (percent == null ? "" : " " + percent);
    assertThat(refused.status())
        .as("%s in %s: %s", what, phase(before), refused.body())
        .isEqualTo(409);
    assertThat(refused.at("/reason").asString()).as(what).isNotBlank();
    JsonNode after = status(migration);
    assertThat(phase(after)).as("phase after refused " + what).isEqualTo(phase(before));
    assertThat(after.path("readPercent").asInt())
        .as("read percent after refused " + what)
        .isEqualTo(before.path("readPercent").asInt());
    assertThat(latestTransition(after))
        .as("transition history after refused " + what)
        .isEqualTo(latestTransition(before));
    assertThat(columns("customers")).as("schema after refused " + what).isEqualTo(columnsBefore);
    refusals.add(what + " in " + phase(before) + ": " + refused.at("/reason").asString());
  }

  private static long latestTransition(JsonNode status) {
    long latest = -1;
    for (JsonNode transition : status.path("transitions")) {
      latest = Math.max(latest, transition.path("version").asLong());
    }
    return latest;
  }

  private void assertEveryStepHadTraffic() {
    traffic
        .countsByStep()
        .forEach(
            (step, counts) -> {
              if (!step.startsWith("(crash window")) {
                assertThat(counts.writes()).as("writes acknowledged in step %s", step).isPositive();
                assertThat(counts.allReads())
                    .as("reads acknowledged in step %s", step)
                    .isPositive();
              } else {
                assertThat(counts.writes() + counts.allReads())
                    .as("nothing is sent while the traffic is paused")
                    .isZero();
              }
            });
  }

  /**
   * After both contracts: the database holds exactly the acknowledged writes. Every customer the
   * test last created or updated has its row, {@code email_normalized = lower(trim(last email))}
   * and its address row with the last street, city and zip; no deleted customer has a row in either
   * table; no row exists that the test does not know.
   */
  private void assertDatabaseMatchesAcknowledgedWrites() throws SQLException {
    Map<Long, CustomerRequest> expected = traffic.expectedRows();
    Map<Long, List<String>> customers = new HashMap<>();
    Map<Long, List<String>> addresses = new HashMap<>();
    try (Connection c = db.getConnection()) {
      query(c, "SELECT id, name, email_normalized FROM customers", customers);
      query(c, "SELECT customer_id, street, city, postal_code FROM customer_addresses", addresses);
    }
    List<String> wrong = new ArrayList<>();
    long live = 0;
    long deleted = 0;
    for (Map.Entry<Long, CustomerRequest> e : expected.entrySet()) {
      long id = e.getKey();
      CustomerRequest last = e.getValue();
      if (last == null) {
        deleted++;
        if (customers.containsKey(id)) {
          wrong.add(id + ": deleted, but customers holds " + customers.get(id));
        }
        if (addresses.containsKey(id)) {
          wrong.add(id + ": deleted, but customer_addresses holds " + addresses.get(id));
        }
        continue;
      }
      live++;
      List<String> want =
          List.of(last.name(), String.valueOf(CustomerTraffic.normalize(last.email())));
      List<String> row = customers.get(id);
      if (row == null) {
        wrong.add(id + ": acknowledged " + last + ", but no customers row");
      } else if (!row.equals(want)) {
        wrong.add(id + ": customers (name, email_normalized) " + row + " instead of " + want);
      }
      List<String> address = addresses.get(id);
      List<String> wantAddress = List.of(last.street(), last.city(), last.zip());
      if (!Objects.equals(address, wantAddress)) {
        wrong.add(id + ": customer_addresses " + address + " instead of " + wantAddress);
      }
    }
    for (Long id : customers.keySet()) {
      if (!expected.containsKey(id)) {
        wrong.add(id + ": customers row the test never had acknowledged: " + customers.get(id));
      }
    }
    for (Long id : addresses.keySet()) {
      if (!expected.containsKey(id)) {
        wrong.add(id + ": customer_addresses row of an unknown customer: " + addresses.get(id));
      }
    }
    assertThat(wrong)
        .as(
            "database vs %d live and %d deleted acknowledged customers (first 30 of %d): %s",
            live, deleted, wrong.size(), wrong.subList(0, Math.min(30, wrong.size())))
        .isEmpty();
    assertThat(customers).hasSize((int) live);
    assertThat(addresses).hasSize((int) live);
    mark("checked " + live + " live and " + deleted + " deleted customers in the database");
  }

  private static void query(Connection c, String sql, Map<Long, List<String>> into)
      throws SQLException {
    try (PreparedStatement statement = c.prepareStatement(sql);
        ResultSet rs = statement.executeQuery()) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 2; i <= columns; i++) {
          values.add(String.valueOf(rs.getString(i)));
        }
        into.put(rs.getLong(1), values);
      }
    }
  }

  /**
   * The restarted process sampled every read of BACKFILLED and VERIFIED against the new schema
   * (shadow reads, sample rate 1.0): none differed.
   */
  private void assertNoShadowReadMismatches() {
    Response scrape = client().getAsAdmin("/actuator/prometheus");
    assertThat(scrape.status()).isEqualTo(200);
    for (String migration : MIGRATIONS) {
      String prefix = "expandcontract_shadow_mismatches_total{";
      List<String> lines =
          scrape
              .body()
              .lines()
              .filter(l -> l.startsWith(prefix) && l.contains("migration=\"" + migration + "\""))
              .toList();
      assertThat(lines).as("%s for %s", prefix, migration).isNotEmpty();
      for (String line : lines) {
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        assertThat(value).as(line).isZero();
      }
    }
  }

  // --- the demo and the database ----------------------------------------------------------------

  private DemoProcess startDemo(Path jar, int run) throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SPRING_DATASOURCE_URL", engine().jdbcUrl(databaseName()));
    env.put("SPRING_DATASOURCE_USERNAME", engine().username());
    env.put("SPRING_DATASOURCE_PASSWORD", engine().password());
    List<String> args =
        List.of(
            "--demo.seed-rows=" + SEED_ROWS,
            "--expand-contract.soak-time=2s",
            "--expand-contract.refresh-interval=500ms",
            // A slow, steady address backfill (40 batches of 500 rows, never adapted upwards), so
            // that the writers interleave with many batches and the crash finds it mid-way.
            // customer-email is declared in Java (CustomerMigrations) with the core's default
            // backfill settings, which no property overrides: it adapts its batch size as usual.
            "--expand-contract.migrations." + ADDRESS + ".batch-size=500",
            "--expand-contract.migrations." + ADDRESS + ".max-batch-size=500",
            "--expand-contract.migrations." + ADDRESS + ".pause-between-batches=100ms");
    Path log =
        Path.of(
            System.getProperty("basedir", "."),
            "target",
            "zero-downtime",
            databaseName() + "-run" + run + ".log");
    DemoProcess started = DemoProcess.start(jar, env, adminPassword, args, log);
    demos.add(started);
    started.awaitUp(STARTUP);
    mark("demo process " + run + " up (" + started.describe() + ")");
    return started;
  }

  private DemoClient client() {
    return demo.client();
  }

  private JsonNode status(String migration) {
    Response status = client().get("/actuator/expandcontract/" + migration);
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    return status.json();
  }

  private static String phase(JsonNode status) {
    return status.path("phase").asString();
  }

  /** A migration's state row, read directly from the library's state table. */
  record State(String phase, Long cursor, long upper, long rowsDone, String claimOwner) {}

  private State state(String migration) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement statement =
            c.prepareStatement(
                "SELECT phase, cursor_key, upper_key, rows_done, claim_owner"
                    + " FROM expand_contract_migration WHERE migration_id = ?")) {
      statement.setString(1, migration);
      try (ResultSet rs = statement.executeQuery()) {
        assertThat(rs.next()).as("state row of %s", migration).isTrue();
        String cursor = rs.getString(2);
        String upper = rs.getString(3);
        return new State(
            rs.getString(1),
            cursor == null ? null : Long.valueOf(cursor),
            upper == null ? -1 : Long.parseLong(upper),
            rs.getLong(4),
            rs.getString(5));
      }
    }
  }

  private List<String> columns(String table) throws SQLException {
    List<String> columns = new ArrayList<>();
    try (Connection c = db.getConnection();
        PreparedStatement statement =
            c.prepareStatement(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = "
                    + currentSchemaSql()
                    + " AND table_name = ? ORDER BY ordinal_position")) {
      statement.setString(1, table);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          columns.add(rs.getString(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    return columns;
  }

  /**
   * The seeded customers by id, each checked against what {@link DemoSeeder#chunk} promises for its
   * number (ids need not be 1..n: MariaDB's bulk inserts leave auto-increment gaps between chunks).
   */
  private Map<Long, CustomerRequest> seededRows() throws SQLException {
    List<Object[]> promised = DemoSeeder.chunk(1, SEED_ROWS);
    Map<Long, CustomerRequest> rows = new LinkedHashMap<>();
    Set<Integer> numbers = new TreeSet<>();
    try (Connection c = db.getConnection();
        PreparedStatement statement =
            c.prepareStatement("SELECT id, name, email, street, city, zip FROM customers");
        ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        CustomerRequest row =
            new CustomerRequest(
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                rs.getString(6));
        int n = Integer.parseInt(row.name().substring("Customer ".length()));
        Object[] p = promised.get(n - 1);
        assertThat(row)
            .as("seeded row %d", rs.getLong(1))
            .isEqualTo(
                new CustomerRequest(
                    (String) p[0], (String) p[1], (String) p[2], (String) p[3], (String) p[4]));
        assertThat(numbers.add(n)).as("customer %d seeded once", n).isTrue();
        rows.put(rs.getLong(1), row);
      }
    }
    return rows;
  }

  // --- reporting --------------------------------------------------------------------------------

  private void mark(String what) {
    long now = System.nanoTime();
    timings.put(what, now - lastMark);
    lastMark = now;
  }

  private String timingsText() {
    StringBuilder text = new StringBuilder();
    timings.forEach(
        (what, nanos) ->
            text.append(String.format(Locale.ROOT, "  %6.1f  %s%n", nanos / 1e9, what)));
    return text.toString();
  }

  private void captureDiagnostics() {
    try (Connection c = db.getConnection()) {
      firstFailureDiagnostics = diagnostics(c);
    } catch (SQLException e) {
      firstFailureDiagnostics = "(diagnostics failed: " + e + ")";
    }
  }

  private void reportFailure() {
    StringBuilder report = new StringBuilder("\n=== zero-downtime failure report ===\n");
    if (traffic != null) {
      report.append("traffic failures (first 50):\n");
      traffic.failures().forEach(f -> report.append("  ").append(f).append('\n'));
      report.append("ids with an unknown outcome: ").append(traffic.uncertainIds()).append('\n');
    }
    report.append("database diagnostics at the first failure:\n").append(firstFailureDiagnostics);
    try (Connection c = db.getConnection()) {
      report.append("\ndatabase diagnostics now:\n").append(diagnostics(c));
    } catch (SQLException e) {
      report.append("\n(diagnostics failed: ").append(e).append(")");
    }
    for (DemoProcess d : demos) {
      report
          .append("\n--- ")
          .append(d.describe())
          .append(": first ERROR ---\n")
          .append(d.firstError(80));
      report
          .append("\n--- ")
          .append(d.describe())
          .append(": last 150 lines ---\n")
          .append(d.tail(150));
    }
    System.err.println(report);
  }
}
