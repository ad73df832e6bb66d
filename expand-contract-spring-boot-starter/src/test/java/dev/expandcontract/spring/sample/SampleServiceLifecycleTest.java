package dev.expandcontract.spring.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.it.Poll;
import dev.expandcontract.spring.sample.cleanup.CleanupApplication;
import dev.expandcontract.spring.sample.migrating.PurchaseOrder;
import dev.expandcontract.spring.sample.migrating.PurchaseOrderRepository;
import dev.expandcontract.spring.sample.migrating.SampleApplication;
import dev.expandcontract.spring.sample.migrating.SampleMigrations;
import dev.expandcontract.spring.sample.migrating.Shipment;
import dev.expandcontract.spring.sample.migrating.ShipmentRepository;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The sample service (issue 13) through its three migrations — a rename, a type change and a
 * UUID-keyed table — from the expand scripts Flyway ran at start-up to the contract, under the
 * traffic of a few clients; then the same build restarted on the contracted schema, then the
 * cleanup build with the declarations removed. Once per way of declaring them (a profile) and per
 * database.
 */
@SpringBootTest(
    classes = SampleApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "spring.config.name=sample")
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
abstract class SampleServiceLifecycleTest {

  private static final Logger log = LoggerFactory.getLogger(SampleServiceLifecycleTest.class);

  static final String CUSTOMER_REF = SampleMigrations.CUSTOMER_REF;
  static final String AMOUNT = SampleMigrations.AMOUNT;
  static final String CARRIER = SampleMigrations.CARRIER;
  private static final List<String> MIGRATIONS = List.of(CUSTOMER_REF, AMOUNT, CARRIER);
  private static final int THREADS = 3;
  private static final int LEGACY_ORDERS = 600;
  private static final int LEGACY_SHIPMENTS = 400;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  @Autowired PurchaseOrderRepository orders;
  @Autowired ShipmentRepository shipments;
  @Autowired ExpandContract expandContract;
  @Autowired FlywayContractScripts contractScripts;
  @Autowired JdbcTemplate jdbc;
  @Autowired DataSource dataSource;
  @Autowired Environment environment;

  abstract SampleDatabase database();

  @Test
  void threeMigrationsFromExpandToCleanupUnderTraffic(CapturedOutput output) throws Exception {
    SampleTraffic traffic = new SampleTraffic(orders, shipments);
    seedThePreviousReleasesRows(traffic);
    traffic.start(THREADS);
    try {
      traffic.awaitMore(150);
      MigrationControl control = expandContract.control();
      MIGRATIONS.forEach(id -> control.startBackfill(id, "sample"));
      MIGRATIONS.forEach(id -> awaitPhase(id, Phase.BACKFILLED));
      for (String id : MIGRATIONS) {
        VerificationReport report = control.verify(id, "sample");
        assertThat(report.mismatches()).as("%s: %s", id, report.summary()).isZero();
      }
      traffic.awaitMore(100);
      for (int percent : new int[] {50, 100}) {
        MIGRATIONS.forEach(id -> control.readNew(id, percent, "sample"));
        acknowledge(); // stop-old-writes waits for every instance to read 100% new
        traffic.awaitMore(150);
      }
      MIGRATIONS.forEach(id -> control.stopOldWrites(id, "sample"));
      acknowledge(); // ... and contract for every instance to have stopped writing old
      traffic.awaitMore(150);
      for (String id : MIGRATIONS) {
        control.contract(id, "sample", contractScripts.forMigration(id));
        assertThat(stored(id)).isEqualTo(Phase.CONTRACTED);
        traffic.awaitMore(50);
      }
      traffic.awaitMore(150);
    } finally {
      traffic.stop();
    }
    log.info("{} calls by {} clients through the lifecycle", traffic.operations(), THREADS);

    assertThat(traffic.errors())
        .as("failed calls of %s: %s", traffic.operations(), traffic.problems())
        .isZero();
    assertThat(traffic.anomalies()).as("wrong reads: %s", traffic.problems()).isZero();
    assertThat(columns("orders"))
        .contains("customer_ref", "amount")
        .doesNotContain("cust_ref", "amount_text");
    assertThat(columns("shipments")).contains("carrier_code").doesNotContain("carrier");

    Map<Long, SampleTraffic.OrderValues> orderValues = Map.copyOf(traffic.orders);
    Map<UUID, String> carrierCodes = expectedCarrierCodes(traffic);
    assertReadBack("orders", orderValues, orderValuesIn(orders, orderValues));
    assertReadBack("carrier codes", carrierCodes, carrierCodesIn(shipments, carrierCodes));

    assertTheSameBuildRestartsAndServes(orderValues, carrierCodes, output);
    assertTheCleanupBuildServes(orderValues, carrierCodes);
  }

  /**
   * A restart (crash, deploy, scale-out) of the build that ran the contracts, its declarations
   * unchanged: it starts on the new schema alone, says the declarations can go, and serves.
   */
  private void assertTheSameBuildRestartsAndServes(
      Map<Long, SampleTraffic.OrderValues> orderValues,
      Map<UUID, String> carrierCodes,
      CapturedOutput output) {
    try (ConfigurableApplicationContext restarted =
        new SpringApplicationBuilder(SampleApplication.class)
            .profiles(environment.getActiveProfiles())
            .run(database().arguments(environment))) {
      PurchaseOrderRepository orders = restarted.getBean(PurchaseOrderRepository.class);
      ShipmentRepository shipments = restarted.getBean(ShipmentRepository.class);
      assertReadBack("orders", orderValues, orderValuesIn(orders, orderValues));
      assertReadBack("carrier codes", carrierCodes, carrierCodesIn(shipments, carrierCodes));

      PurchaseOrder order = orders.save(new PurchaseOrder("r", "C-r", new BigDecimal("1.25")));
      assertThat(SampleTraffic.values(orders.findById(order.getId()).orElseThrow()))
          .isEqualTo(new SampleTraffic.OrderValues("C-r", new BigDecimal("1.25")));
      UUID shipment = UUID.randomUUID();
      shipments.save(new Shipment(shipment, "R", "dhl"));
      assertThat(shipments.findById(shipment).orElseThrow().getCarrier()).isEqualTo("DHL");
      assertThat(
              jdbc.queryForObject(
                  "select carrier_code from shipments where id = ?",
                  String.class,
                  database().shipmentKey(shipment)))
          .isEqualTo("DHL");
    }
    for (String id : MIGRATIONS) {
      assertThat(output.getOut())
          .contains("migration '" + id + "' is CONTRACTED: its declaration can now be removed");
    }
  }

  /** The release after: no declarations, the new columns mapped directly, the same database. */
  private void assertTheCleanupBuildServes(
      Map<Long, SampleTraffic.OrderValues> orderValues, Map<UUID, String> carrierCodes) {
    try (ConfigurableApplicationContext cleanup =
        new SpringApplicationBuilder(CleanupApplication.class)
            .run(database().arguments(environment))) {
      var orders =
          cleanup.getBean(dev.expandcontract.spring.sample.cleanup.PurchaseOrderRepository.class);
      var shipments =
          cleanup.getBean(dev.expandcontract.spring.sample.cleanup.ShipmentRepository.class);
      Map<Long, SampleTraffic.OrderValues> read = new HashMap<>();
      orders
          .findAllById(orderValues.keySet())
          .forEach(
              o ->
                  read.put(
                      o.getId(), new SampleTraffic.OrderValues(o.getCustomerRef(), o.getAmount())));
      assertReadBack("orders", orderValues, read);
      Map<UUID, String> readCodes = new HashMap<>();
      shipments
          .findAllById(carrierCodes.keySet())
          .forEach(s -> readCodes.put(s.getId(), s.getCarrier()));
      assertReadBack("carrier codes", carrierCodes, readCodes);

      var order =
          orders.save(
              new dev.expandcontract.spring.sample.cleanup.PurchaseOrder(
                  "c", "C-c", new BigDecimal("2.50")));
      assertThat(orders.findById(order.getId()).orElseThrow().getAmount())
          .isEqualTo(new BigDecimal("2.50"));
      UUID shipment = UUID.randomUUID();
      shipments.save(new dev.expandcontract.spring.sample.cleanup.Shipment(shipment, "C", "UPS"));
      assertThat(shipments.findById(shipment).orElseThrow().getCarrier()).isEqualTo("UPS");
    }
  }

  /** Rows of the previous release, written without the library: only the backfill migrates them. */
  private void seedThePreviousReleasesRows(SampleTraffic traffic) {
    List<Object[]> legacyOrders = new ArrayList<>();
    for (int i = 0; i < LEGACY_ORDERS; i++) {
      // amounts as the previous release wrote them: whole, one or two decimals
      String amount = i + (i % 3 == 0 ? "" : i % 3 == 1 ? ".5" : ".25");
      legacyOrders.add(new Object[] {"legacy " + i, "L-" + i, amount});
    }
    jdbc.batchUpdate(
        "insert into orders (item, cust_ref, amount_text) values (?, ?, ?)", legacyOrders);
    jdbc.query(
        "select id, cust_ref, amount_text from orders",
        (ResultSet rs) -> {
          // acknowledged in the new form: the number CAST(amount_text AS DECIMAL(10,2)) gives
          traffic.orders.put(
              rs.getLong(1),
              new SampleTraffic.OrderValues(
                  rs.getString(2), new BigDecimal(rs.getString(3)).setScale(2)));
        });
    List<Object[]> legacyShipments = new ArrayList<>();
    for (int i = 0; i < LEGACY_SHIPMENTS; i++) {
      UUID id = UUID.randomUUID();
      String carrier = i % 2 == 0 ? "dhl" : "PostNord";
      legacyShipments.add(new Object[] {database().shipmentKey(id), "L" + i, carrier});
      traffic.carriers.put(id, carrier);
    }
    jdbc.batchUpdate(
        "insert into shipments (id, tracking, carrier) values (?, ?, ?)", legacyShipments);
  }

  private static Map<UUID, String> expectedCarrierCodes(SampleTraffic traffic) {
    return traffic.carriers.entrySet().stream()
        .collect(
            Collectors.toMap(Map.Entry::getKey, e -> SampleMigrations.carrierCode(e.getValue())));
  }

  private static Map<Long, SampleTraffic.OrderValues> orderValuesIn(
      PurchaseOrderRepository repository, Map<Long, SampleTraffic.OrderValues> expected) {
    Map<Long, SampleTraffic.OrderValues> read = new HashMap<>();
    repository
        .findAllById(expected.keySet())
        .forEach(o -> read.put(o.getId(), SampleTraffic.values(o)));
    return read;
  }

  private static Map<UUID, String> carrierCodesIn(
      ShipmentRepository repository, Map<UUID, String> expected) {
    Map<UUID, String> read = new HashMap<>();
    repository.findAllById(expected.keySet()).forEach(s -> read.put(s.getId(), s.getCarrier()));
    return read;
  }

  /** Every acknowledged value reads back; a failure shows the first few that do not. */
  private static <K, V> void assertReadBack(String what, Map<K, V> expected, Map<K, V> read) {
    List<String> wrong =
        expected.entrySet().stream()
            .filter(e -> !Objects.equals(e.getValue(), read.get(e.getKey())))
            .map(e -> e.getKey() + " reads " + read.get(e.getKey()) + " for " + e.getValue())
            .toList();
    assertThat(wrong.size())
        .as(
            "acknowledged %s (of %d) that read back otherwise, e.g. %s",
            what, expected.size(), wrong.subList(0, Math.min(5, wrong.size())))
        .isZero();
  }

  /** The phase in the shared state, not this instance's copy. */
  private Phase stored(String id) {
    return expandContract.store().load(id).orElseThrow().phase();
  }

  private void awaitPhase(String id, Phase phase) {
    Poll.until(TIMEOUT, id + " in " + phase, () -> stored(id), p -> p == phase);
  }

  /** This instance acknowledges the state it holds now: a heartbeat reports the one before. */
  private void acknowledge() {
    expandContract.refresh();
    expandContract.refresh();
  }

  private List<String> columns(String table) throws Exception {
    try (Connection connection = dataSource.getConnection();
        ResultSet rs =
            connection
                .getMetaData()
                .getColumns(connection.getCatalog(), connection.getSchema(), table, null)) {
      List<String> names = new ArrayList<>();
      while (rs.next()) {
        names.add(rs.getString("COLUMN_NAME").toLowerCase());
      }
      return names;
    }
  }
}
