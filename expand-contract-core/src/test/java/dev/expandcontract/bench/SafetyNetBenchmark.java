package dev.expandcontract.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.drift.SafetyNets;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import javax.sql.DataSource;

/**
 * What the safety net costs the writers of the old table: single-row auto-commit statements, one
 * thread, with the net's triggers absent and installed, in alternating rounds so that both sides
 * see the same machine load.
 *
 * <ul>
 *   <li>column migration {@code bench_users.email -> email_normalized = lower(trim(email))}: an
 *       UPDATE of {@code email} (the BEFORE UPDATE trigger sets the new column) and an INSERT;
 *   <li>table migration {@code customers -> customer_addresses}: an UPDATE of {@code zip} (the
 *       AFTER trigger upserts the new row), an UPDATE of {@code name}, an unmapped column (the
 *       trigger's condition is false: it does not run), and an INSERT (a second row written).
 * </ul>
 *
 * <pre>
 * --rows N     rows of each old table (default 100000)
 * --db LIST    postgres,mariadb (default both)
 * --ops N      statements per kind and round (default 2000)
 * --rounds R   measured rounds (default 3), after a warm-up round
 * </pre>
 *
 * Throughput is one thread's: statements per second of time spent in them (1 / mean latency).
 */
public final class SafetyNetBenchmark {

  private static final String EMAIL = "bench-email";
  private static final String ADDRESS = "bench-address";

  private SafetyNetBenchmark() {}

  /** One kind of statement the application (or a script) sends to the old table. */
  private record Write(String label, String migrationId, String sql, boolean inserts) {}

  private static final List<Write> WRITES =
      List.of(
          new Write(
              "column: UPDATE email",
              EMAIL,
              "UPDATE bench_users SET email = ? WHERE id = ?",
              false),
          new Write(
              "column: INSERT", EMAIL, "INSERT INTO bench_users (email, id) VALUES (?, ?)", true),
          new Write(
              "table: UPDATE zip (mapped)",
              ADDRESS,
              "UPDATE customers SET zip = ? WHERE id = ?",
              false),
          new Write(
              "table: UPDATE name (unmapped)",
              ADDRESS,
              "UPDATE customers SET name = ? WHERE id = ?",
              false),
          new Write(
              "table: INSERT",
              ADDRESS,
              "INSERT INTO customers (name, street, city, zip, id) VALUES (?, 'S', 'C', 'Z1', ?)",
              true));

  public static void main(String[] args) throws Exception {
    BackfillBenchmark.quietLogging();
    long rows = 100_000;
    int ops = 2_000;
    int rounds = 3;
    List<String> dbs = List.of("postgres", "mariadb");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[i + 1].replace("_", ""));
        case "--db" -> dbs = BackfillBenchmark.split(args[i + 1]);
        case "--ops" -> ops = Integer.parseInt(args[i + 1]);
        case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "expand-contract safety-net benchmark, %s, %d rows, %d statements x %d rounds per kind"
            + " and side, %d CPUs, Java %s%n",
        LocalDate.now(),
        rows,
        ops,
        rounds,
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"));
    for (String db : dbs) {
      TestDatabase database = TestDatabase.valueOf(db.toUpperCase(Locale.ROOT));
      try (HikariDataSource dataSource = database.create("safety_net_benchmark")) {
        run(database, dataSource, rows, ops, rounds);
      }
    }
  }

  private static void run(
      TestDatabase database, DataSource dataSource, long rows, int ops, int rounds)
      throws Exception {
    BenchTables tables = new BenchTables(database, dataSource);
    tables.freshUsers(rows);
    tables.freshCustomers(rows);
    execute(dataSource, BenchTables.SINGLE_INSERT); // new rows exist: the upsert updates them
    execute(dataSource, "DROP TABLE IF EXISTS sn_bench_migration");
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(
                Migration.column(EMAIL)
                    .table(BenchTables.USERS)
                    .key("id")
                    .map("email")
                    .to("email_normalized")
                    .using("lower(trim(email))")
                    .build())
            .migration(
                Migration.table(ADDRESS)
                    .from(BenchTables.CUSTOMERS)
                    .key("id")
                    .into(BenchTables.ADDRESSES)
                    .newKey("customer_id")
                    .map("street")
                    .to("street")
                    .map("city")
                    .to("city")
                    .map("zip")
                    .to("postal_code")
                    .build())
            .tablePrefix("sn_bench_")
            .safetyNet(true)
            .build();
    ec.control().startBackfill(EMAIL, "benchmark"); // installs the nets; no batch runs
    ec.control().startBackfill(ADDRESS, "benchmark");
    System.out.printf(
        Locale.ROOT,
        "%n=== %s (%s) ===  load average %s%n",
        database,
        tables.serverVersion(),
        BackfillBenchmark.loadAverage());
    Map<String, List<Long>> off = new LinkedHashMap<>();
    Map<String, List<Long>> on = new LinkedHashMap<>();
    Map<String, long[]> elapsed = new LinkedHashMap<>();
    long[] nextId = {rows + 1};
    Random random = new Random(42);
    SafetyNets nets = ec.safetyNets();
    // Round 0 warms up the JIT, the pool and the caches, and is not counted. Each kind of
    // statement is measured off and on back to back, in an order that alternates between rounds,
    // so that both sides see the same machine load.
    for (int round = 0; round <= rounds; round++) {
      boolean[] sides = round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false};
      for (Write write : WRITES) {
        for (boolean net : sides) {
          if (net) {
            nets.beforeBackfill(write.migrationId());
          } else {
            nets.beforeOldWritesStop(write.migrationId());
          }
          long[] nanos =
              measure(dataSource, write, round == 0 ? ops / 4 : ops, rows, nextId, random);
          if (round > 0) {
            (net ? on : off)
                .computeIfAbsent(write.label(), k -> new ArrayList<>())
                .addAll(list(nanos));
            elapsed.computeIfAbsent(write.label(), k -> new long[2])[net ? 1 : 0] +=
                Arrays.stream(nanos).sum();
          }
        }
      }
    }
    System.out.printf(
        Locale.ROOT,
        "  %-30s | %-26s | %-26s | %s%n",
        "statement (auto-commit)",
        "net off: p50 / p99 ms, /s",
        "net on: p50 / p99 ms, /s",
        "on/off p50, throughput");
    for (Write write : WRITES) {
      List<Long> a = off.get(write.label());
      List<Long> b = on.get(write.label());
      long[] total = elapsed.get(write.label());
      double offRate = a.size() / (total[0] / 1e9);
      double onRate = b.size() / (total[1] / 1e9);
      System.out.printf(
          Locale.ROOT,
          "  %-30s | %6.3f / %6.3f  %8.0f | %6.3f / %6.3f  %8.0f | %5.2fx  %5.2fx%n",
          write.label(),
          percentile(a, 50),
          percentile(a, 99),
          offRate,
          percentile(b, 50),
          percentile(b, 99),
          onRate,
          percentile(b, 50) / percentile(a, 50),
          onRate / offRate);
    }
    nets.beforeOldWritesStop(EMAIL);
    nets.beforeOldWritesStop(ADDRESS);
    tables.dropAll();
  }

  /** Nanoseconds of each of {@code ops} statements, each its own transaction. */
  private static long[] measure(
      DataSource dataSource, Write write, int ops, long rows, long[] nextId, Random random)
      throws SQLException {
    long[] nanos = new long[ops];
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(write.sql())) {
      for (int i = 0; i < ops; i++) {
        long id = write.inserts() ? nextId[0]++ : 1 + random.nextLong(rows);
        statement.setString(1, " V" + random.nextInt(1_000_000) + "@X.COM ");
        statement.setLong(2, id);
        long started = System.nanoTime();
        statement.executeUpdate();
        nanos[i] = System.nanoTime() - started;
      }
    }
    return nanos;
  }

  private static List<Long> list(long[] values) {
    return Arrays.stream(values).boxed().toList();
  }

  private static double percentile(List<Long> nanos, int percent) {
    List<Long> sorted = nanos.stream().sorted().toList();
    int index = Math.min(sorted.size() - 1, (int) Math.ceil(percent / 100.0 * sorted.size()) - 1);
    return sorted.get(Math.max(0, index)) / 1e6;
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
