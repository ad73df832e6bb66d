package dev.expandcontract.demo;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Gives the backfill real work: on first start, inserts {@code demo.seed-rows} customers with plain
 * batched SQL into the old columns only, in the background once the application is ready. These
 * inserts bypass the library on purpose (like a legacy import), so it only seeds while every
 * migration is still EXPANDED: start the backfill after {@link #awaitSeeded(Duration)}, or rows
 * inserted after the backfill fixed its upper key stay unmigrated and verification reports them.
 */
@Component
public class DemoSeeder {

  /** Where seeding stands. */
  public enum State {
    PENDING,
    RUNNING,
    DONE,
    SKIPPED,
    FAILED
  }

  static final int CHUNK = 5_000;
  private static final String INSERT =
      "INSERT INTO customers (name, email, street, city, zip) VALUES (?, ?, ?, ?, ?)";
  private static final String[] CITIES = {
    "Amsterdam", "Berlin", "Lisbon", "Madrid", "Oslo", "Paris", "Prague", "Vienna"
  };
  private static final Logger log = LoggerFactory.getLogger(DemoSeeder.class);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate transactions;
  private final ExpandContract expandContract;
  private final int rows;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile State state = State.PENDING;
  private volatile long inserted;
  private volatile String detail = "";
  private volatile boolean stopping;

  DemoSeeder(
      JdbcTemplate jdbc,
      TransactionTemplate transactions,
      ExpandContract expandContract,
      DemoProperties properties) {
    this.jdbc = jdbc;
    this.transactions = transactions;
    this.expandContract = expandContract;
    this.rows = properties.seedRows();
  }

  @EventListener(ApplicationReadyEvent.class)
  void seedInBackground() {
    Thread seeder = new Thread(this::seed, "demo-seeder");
    seeder.setDaemon(true); // never keeps a stopping JVM alive
    seeder.start();
  }

  /**
   * Waits until seeding is over: true once the rows are in (or seeding was not needed), false on
   * timeout.
   *
   * @throws IllegalStateException if seeding failed
   */
  public boolean awaitSeeded(Duration timeout) throws InterruptedException {
    boolean over = finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (state == State.FAILED) {
      throw new IllegalStateException("seeding failed: " + detail);
    }
    return over;
  }

  public State state() {
    return state;
  }

  /** Rows this instance inserted so far. */
  public long insertedRows() {
    return inserted;
  }

  /** Why seeding was skipped or failed; empty otherwise. */
  public String detail() {
    return detail;
  }

  @PreDestroy
  void stop() {
    stopping = true;
  }

  private void seed() {
    try {
      String skip = reasonToSkip();
      if (skip != null) {
        detail = skip;
        state = State.SKIPPED;
        log.info("Not seeding: {}", skip);
        return;
      }
      state = State.RUNNING;
      long started = System.nanoTime();
      for (int from = 1; from <= rows && !stopping; from += CHUNK) {
        List<Object[]> chunk = chunk(from, Math.min(rows, from + CHUNK - 1));
        transactions.executeWithoutResult(tx -> jdbc.batchUpdate(INSERT, chunk));
        inserted += chunk.size();
      }
      state = State.DONE;
      warnIfABackfillStartedMeanwhile();
      log.info(
          "Seeded {} customers in {} ms; start a backfill with POST"
              + " /actuator/expandcontract/<id> {\"action\":\"start-backfill\"}",
          inserted,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    } catch (RuntimeException e) {
      detail = String.valueOf(e.getMessage());
      state = State.FAILED;
      log.error("Seeding failed after {} rows", inserted, e);
    } finally {
      finished.countDown();
    }
  }

  /**
   * The seeder writes the old schema directly, bypassing the library (as a script or another
   * service would): rows it inserted after a backfill fixed its upper key are in old only. The
   * verifier finds them and {@code repair} copies them; say so rather than leave a trap.
   */
  private void warnIfABackfillStartedMeanwhile() {
    for (Migration migration : expandContract.migrations()) {
      Phase phase = expandContract.storedState(migration.id()).phase();
      if (phase != Phase.EXPANDED) {
        log.warn(
            "Seeding finished while migration {} is {}: rows seeded after its start-backfill"
                + " bypassed the library and are in old only. Once it is BACKFILLED, POST"
                + " {\"action\":\"repair\"} to /actuator/expandcontract/{} re-copies them"
                + " (verify refuses until then)",
            migration.id(),
            phase,
            migration.id());
      }
    }
  }

  private String reasonToSkip() {
    if (rows <= 0) {
      return "demo.seed-rows is " + rows;
    }
    Long existing = jdbc.queryForObject("SELECT COUNT(*) FROM customers", Long.class);
    if (existing != null && existing > 0) {
      return "customers already holds " + existing + " rows";
    }
    for (Migration migration : expandContract.migrations()) {
      Phase phase = expandContract.state(migration.id()).phase();
      if (phase != Phase.EXPANDED) {
        // Old-only rows would never be backfilled now: the cursor has moved on.
        return "migration " + migration.id() + " is already " + phase;
      }
    }
    return null;
  }

  /** Customers {@code first..last}, with emails in mixed case and stray spaces to normalize. */
  static List<Object[]> chunk(int first, int last) {
    List<Object[]> chunk = new ArrayList<>(last - first + 1);
    for (int i = first; i <= last; i++) {
      String email =
          switch (i % 3) {
            case 0 -> "  User" + i + "@Example.COM ";
            case 1 -> "user" + i + "@example.com";
            default -> "USER" + i + "@EXAMPLE.com  ";
          };
      chunk.add(
          new Object[] {
            "Customer " + i,
            email,
            (i % 250 + 1) + " Main Street",
            CITIES[i % CITIES.length],
            String.format(Locale.ROOT, "%05d", i % 100_000)
          });
    }
    return chunk;
  }
}
