package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * An online schema change tool on a 200,000-row table while the application's own traffic runs
 * through the starter's repositories: no request fails and every acknowledged write is there
 * afterwards. The tool's duration and the traffic's p99 during it, next to the same traffic's p99
 * just before it, are logged as {@code ONLINE-DDL-STARTER} lines (BENCHMARKS.md).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class OnlineDdlUnderRepositoryTrafficTest extends ItSupport {

  static final int ROWS = 200_000;
  private static final Logger log =
      LoggerFactory.getLogger(OnlineDdlUnderRepositoryTrafficTest.class);
  private static final int THREADS = 3;
  private static final int BASELINE_REQUESTS = 3_000;

  /** Think time between two requests of a client: traffic is an arrival rate (see the core's). */
  private static final long THINK_NANOS = 5_000_000;

  /** Fills customers with ROWS rows of name and email in one statement. */
  abstract String seedSql();

  /** Brings customer-email to where the tool may run, and returns the tool's run. */
  abstract Runnable prepare();

  /** What runs, for the log line. */
  abstract String label();

  @Test
  void theToolRunsUnderRepositoryTrafficWithoutAFailedRequestOrALostWrite() throws Exception {
    jdbc.execute(seedSql());
    long firstId = jdbc.queryForObject("select min(id) from customers", Long.class);
    Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    List<String> failures = new CopyOnWriteArrayList<>();
    List<Long> baseline = Collections.synchronizedList(new ArrayList<>());
    List<Long> during = Collections.synchronizedList(new ArrayList<>());
    // Where the clients record latencies: the baseline, then the tool's run, null otherwise.
    AtomicReference<List<Long>> timing = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong requests = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> clients = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Random random = new Random(t);
      int thread = t;
      clients.add(
          pool.submit(
              () -> {
                for (int n = 0; !stop.get(); n++) {
                  String email = " App" + thread + "." + n + "@Example.COM ";
                  long started = System.nanoTime();
                  try {
                    acknowledged.put(request(random, firstId, email), email);
                  } catch (RuntimeException e) {
                    failures.add(e.toString());
                  }
                  List<Long> window = timing.get();
                  if (window != null) {
                    window.add(System.nanoTime() - started);
                  }
                  requests.incrementAndGet();
                  LockSupport.parkNanos(THINK_NANOS);
                }
                return null;
              }));
    }
    long took;
    try {
      Poll.until(Duration.ofSeconds(30), "traffic running", () -> requests.get() > 100);
      Runnable tool = prepare();
      timing.set(baseline);
      Poll.until(
          Duration.ofSeconds(60),
          BASELINE_REQUESTS + " requests with no change running",
          () -> baseline.size() >= BASELINE_REQUESTS);
      timing.set(during);
      long started = System.nanoTime();
      tool.run();
      took = System.nanoTime() - started;
      timing.set(null);
    } finally {
      stop.set(true);
      for (Future<?> client : clients) {
        client.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }

    assertThat(failures).as("failed requests of %s", requests.get()).isEmpty();
    Map<Long, String> stored = new ConcurrentHashMap<>();
    jdbc.query(
        "select id, email_normalized from customers where id >= ?",
        rs -> {
          stored.put(rs.getLong(1), rs.getString(2));
        },
        firstId);
    acknowledged.forEach(
        (id, email) ->
            assertThat(stored.get(id)).as("customer %s", id).isEqualTo(Emails.normalize(email)));
    log.info(
        String.format(
            Locale.ROOT,
            "ONLINE-DDL-STARTER %s %s on %d rows: %d ms; repository traffic during it: %d requests,"
                + " 0 failed, p99 %.1f ms; baseline before it (no change running): %d requests,"
                + " p99 %.1f ms; %d acknowledged writes all present",
            getClass().getSimpleName(),
            label(),
            ROWS,
            took / 1_000_000,
            during.size(),
            p99Millis(during),
            baseline.size(),
            p99Millis(baseline),
            acknowledged.size()));
  }

  /** Half inserts, half updates of a seeded customer's email, each through the repository. */
  private long request(Random random, long firstId, String email) {
    if (random.nextBoolean()) {
      return customers.save(new Customer("app", email, "S", "City", "Z")).getId();
    }
    long id = firstId + random.nextInt(ROWS);
    Customer customer = customers.findById(id).orElseThrow();
    customer.setEmail(email);
    customers.save(customer);
    return id;
  }

  private static double p99Millis(List<Long> latencies) {
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return sorted.isEmpty() ? 0 : sorted.get((int) (sorted.size() * 0.99)) / 1e6;
  }
}
