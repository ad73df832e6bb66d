package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An online DDL on a 200,000-row table while the application dual-writes it through the core's row
 * access: no request fails, every acknowledged write is there afterwards; the DDL's duration and
 * the traffic's p99 during it, next to the same traffic's p99 just before it with no change
 * running, are logged as {@code ONLINE-DDL} lines (BENCHMARKS.md).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractOnlineDdlUnderTrafficTest {

  static final int ROWS = 200_000;
  private static final Logger log =
      LoggerFactory.getLogger(AbstractOnlineDdlUnderTrafficTest.class);
  private static final int THREADS = 3;

  /** Requests timed with no change running, right before each DDL: its baseline p99. */
  private static final int BASELINE_REQUESTS = 3_000;

  /**
   * Think time of each client between two requests. Not synchronisation: a service's traffic is an
   * arrival rate (here up to ~600 requests/s), not clients that never pause; back-to-back
   * transactions on 2 cores leave an ALTER no moment between them at all.
   */
  private static final long THINK_NANOS = 5_000_000;

  HikariDataSource dataSource;
  private ExpandContract ec;
  private Model model;

  abstract TestDatabase database();

  /** Fills customers 1..ROWS in one set-based statement. */
  abstract String seedSql();

  @BeforeAll
  void seed() {
    dataSource = database().create("online_ddl_traffic");
    Customers.recreate(dataSource);
    TestSql.execute(dataSource, seedSql());
    model = Customers.emailModel(true, Customers.smallBatches(1000));
    ec =
        ExpandContract.builder(dataSource)
            .migration(model.migration())
            .instanceId("app")
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
  }

  @AfterAll
  void close() {
    dataSource.close();
  }

  /** Runs the DDL under traffic and checks every acknowledged write; returns the log line. */
  String underTraffic(String label, Runnable ddl) throws Exception {
    Map<Long, List<Object>> acknowledged = new ConcurrentHashMap<>();
    List<Long> baseline = Collections.synchronizedList(new ArrayList<>());
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<String> failures = new CopyOnWriteArrayList<>();
    // Where the clients record their latencies: the baseline, then the DDL's, null in between.
    AtomicReference<List<Long>> timing = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong requests = new AtomicLong();
    AtomicLong nextId =
        new AtomicLong(10_000_000L * (1 + label.length()) + System.nanoTime() % 1000 * 10_000);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> clients = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      Random random = new Random(t);
      clients.add(
          pool.submit(
              () -> {
                while (!stop.get()) {
                  long id =
                      random.nextBoolean() ? nextId.incrementAndGet() : 1 + random.nextInt(ROWS);
                  List<Object> values =
                      List.of("App" + id + "." + random.nextInt(1000) + "@Example.COM");
                  long started = System.nanoTime();
                  try {
                    boolean insert = id > ROWS;
                    Customers.inTransaction(
                        dataSource,
                        insert
                            ? Customers.insert(ec, model, id, values)
                            : Customers.update(ec, model, id, values));
                    acknowledged.put(id, values);
                  } catch (Exception e) {
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
    long started;
    long took;
    try {
      Poll.until(Duration.ofSeconds(30), "traffic running", () -> requests.get() > 100);
      timing.set(baseline);
      Poll.until(
          Duration.ofSeconds(60),
          BASELINE_REQUESTS + " requests with no change running",
          () -> baseline.size() >= BASELINE_REQUESTS);
      timing.set(latencies);
      started = System.nanoTime();
      ddl.run();
      took = System.nanoTime() - started;
      timing.set(null);
    } finally {
      stop.set(true);
      for (Future<?> client : clients) {
        client.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
    }
    assertThat(failures).as("failed requests").isEmpty();
    for (Map.Entry<Long, List<Object>> write : acknowledged.entrySet()) {
      List<List<Object>> row =
          TestSql.rows(
              dataSource,
              "SELECT email, email_normalized FROM customers WHERE id = ?",
              write.getKey());
      assertThat(row).as("customer %s", write.getKey()).hasSize(1);
      assertThat(row.get(0).get(0)).isEqualTo(write.getValue().get(0));
      assertThat(row.get(0).get(1)).isEqualTo(Customers.normalized(write.getValue().get(0)));
    }
    String line =
        String.format(
            java.util.Locale.ROOT,
            "ONLINE-DDL %s %s on %d rows: %d ms; traffic during it: %d requests, 0 failed, p99 %.1f ms;"
                + " baseline before it (no change running): %d requests, p99 %.1f ms;"
                + " %d acknowledged writes all present",
            database(),
            label,
            ROWS,
            took / 1_000_000,
            latencies.size(),
            p99Millis(latencies),
            baseline.size(),
            p99Millis(baseline),
            acknowledged.size());
    log.info(line);
    return line;
  }

  private static double p99Millis(List<Long> latencies) {
    List<Long> sorted = new ArrayList<>(latencies);
    Collections.sort(sorted);
    return sorted.isEmpty() ? 0 : sorted.get((int) (sorted.size() * 0.99)) / 1e6;
  }
}
