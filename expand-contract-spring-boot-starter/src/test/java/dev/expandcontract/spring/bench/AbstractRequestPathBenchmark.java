package dev.expandcontract.spring.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.spring.it.Customer;
import dev.expandcontract.spring.it.CustomerRepository;
import dev.expandcontract.spring.it.ItApplication;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongConsumer;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.persistence.autoconfigure.EntityScan;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.data.jpa.repository.config.EnableJpaRepositories;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The request path against plain JPA (issue 11): a routed {@code findById} and a dual-writing
 * update ({@code findById}, change a field, {@code save}, one transaction) of the starter's test
 * entity {@link Customer} (two migrations: a column one, email, and a table one, the address), side
 * by side with {@link PlainCustomer}, the same row mapped by plain JPA, in EXPANDED. Rounds
 * alternate library and plain; the table shows the median time per call over the rounds, the ratio,
 * and the SQL statements per call (every execute through the data source). Not a test: run it by
 * name (command in BENCHMARKS.md).
 */
@SpringBootTest(
    classes = AbstractRequestPathBenchmark.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "expand-contract.refresh-interval=2s",
      "expand-contract.instance-timeout=30s",
      "expand-contract.backfill.enabled=false",
      "logging.level.root=WARN"
    })
abstract class AbstractRequestPathBenchmark {

  private static final int ROWS = 2_000;
  private static final int CALLS = Integer.getInteger("ec.bench.calls", 400);
  private static final int ROUNDS = Integer.getInteger("ec.bench.rounds", 9);

  @Configuration
  @Import(ItApplication.class)
  @EntityScan(basePackageClasses = {Customer.class, PlainCustomer.class})
  @EnableJpaRepositories(basePackageClasses = {CustomerRepository.class, PlainCustomer.class})
  static class App {
    @Bean
    static BeanPostProcessor countStatements() {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
          return bean instanceof DataSource source && !(bean instanceof StatementCounter)
              ? new StatementCounter(source)
              : bean;
        }
      };
    }
  }

  @Autowired private CustomerRepository library;
  @Autowired private PlainCustomerRepository plain;
  @Autowired private DataSource dataSource;
  @Autowired private JdbcTemplate jdbc;
  @Autowired private ExpandContract expandContract;
  @Autowired private PlatformTransactionManager transactions;

  protected abstract String database();

  private record Operation(String name, LongConsumer library, LongConsumer plain) {}

  private record Figures(double micros, double statements) {}

  @Test
  void routedReadAndDualWriteAgainstPlainJpa() {
    assertThat(expandContract.state("customer-email").phase()).isEqualTo(Phase.EXPANDED);
    List<Object[]> rows = new ArrayList<>();
    for (int i = 1; i <= ROWS; i++) {
      rows.add(
          new Object[] {"Customer " + i, "c" + i + "@example.com", i + " Main St", "Town", "1"});
    }
    jdbc.batchUpdate(
        "INSERT INTO customers (name, email, street, city, zip) VALUES (?, ?, ?, ?, ?)", rows);
    List<Long> ids = jdbc.queryForList("SELECT id FROM customers", Long.class);
    TransactionTemplate tx = new TransactionTemplate(transactions);
    List<Operation> operations =
        List.of(
            new Operation(
                "findById", id -> library.findById(id).orElseThrow(), id -> plain.findById(id)),
            new Operation(
                "update email (column migration)",
                id ->
                    tx.executeWithoutResult(
                        s -> {
                          Customer c = library.findById(id).orElseThrow();
                          c.setEmail("u" + System.nanoTime() + "@example.com");
                          library.save(c);
                        }),
                id ->
                    tx.executeWithoutResult(
                        s -> {
                          PlainCustomer c = plain.findById(id).orElseThrow();
                          c.setEmail("u" + System.nanoTime() + "@example.com");
                          plain.save(c);
                        })),
            new Operation(
                "update street (table migration)",
                id ->
                    tx.executeWithoutResult(
                        s -> {
                          Customer c = library.findById(id).orElseThrow();
                          c.setStreet(System.nanoTime() + " High St");
                          library.save(c);
                        }),
                id ->
                    tx.executeWithoutResult(
                        s -> {
                          PlainCustomer c = plain.findById(id).orElseThrow();
                          c.setStreet(System.nanoTime() + " High St");
                          plain.save(c);
                        })));
    Random random = new Random(7);
    StringBuilder table = new StringBuilder();
    table.append(
        String.format(
            Locale.ROOT,
            "%nRequest path, %s, EXPANDED, %d rows, %d rounds x %d calls (median of rounds)%n"
                + "%-34s %12s %12s %7s %12s %12s%n",
            database(),
            ROWS,
            ROUNDS,
            CALLS,
            "operation",
            "library us",
            "plain us",
            "ratio",
            "lib stmts",
            "plain stmts"));
    for (Operation operation : operations) {
      measure(operation.library(), ids, random, 2); // warm-up
      measure(operation.plain(), ids, random, 2);
      if (Boolean.getBoolean("ec.bench.trace")) {
        System.out.println(operation.name() + ", library:");
        ((StatementCounter) dataSource).trace(true);
        measure(operation.library(), ids, random, 1);
        System.out.println(operation.name() + ", plain:");
        measure(operation.plain(), ids, random, 1);
        ((StatementCounter) dataSource).trace(false);
      }
      List<Figures> lib = new ArrayList<>();
      List<Figures> pln = new ArrayList<>();
      for (int round = 0; round < ROUNDS; round++) {
        lib.add(measure(operation.library(), ids, random, CALLS));
        pln.add(measure(operation.plain(), ids, random, CALLS));
      }
      double libraryMicros = median(lib.stream().map(Figures::micros).toList());
      double plainMicros = median(pln.stream().map(Figures::micros).toList());
      table.append(
          String.format(
              Locale.ROOT,
              "%-34s %12.1f %12.1f %6.2fx %12.1f %12.1f%n",
              operation.name(),
              libraryMicros,
              plainMicros,
              libraryMicros / plainMicros,
              lib.get(0).statements(),
              pln.get(0).statements()));
    }
    System.out.println(table);
  }

  private Figures measure(LongConsumer call, List<Long> ids, Random random, int calls) {
    StatementCounter counter = (StatementCounter) dataSource;
    long statementsBefore = counter.executed();
    long started = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      call.accept(ids.get(random.nextInt(ids.size())));
    }
    double micros = (System.nanoTime() - started) / 1_000.0 / calls;
    return new Figures(micros, (counter.executed() - statementsBefore) / (double) calls);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }
}
