package dev.expandcontract.spring.sample;

import dev.expandcontract.spring.it.Poll;
import dev.expandcontract.spring.sample.migrating.PurchaseOrder;
import dev.expandcontract.spring.sample.migrating.PurchaseOrderRepository;
import dev.expandcontract.spring.sample.migrating.SampleMigrations;
import dev.expandcontract.spring.sample.migrating.Shipment;
import dev.expandcontract.spring.sample.migrating.ShipmentRepository;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sample service's clients: a few threads creating, updating and reading orders and shipments
 * through the repositories, each on rows of its own, so that the last value acknowledged per key is
 * what must read back. A failed call is an error; a read that is neither the acknowledged value nor
 * its new form is an anomaly.
 */
final class SampleTraffic {

  /** Carriers as clients write them: mixed case, so the transform changes them. */
  private static final String[] CARRIERS = {"dhl", "Ups", "fedEx", "PostNord"};

  /** What an order's migrated fields were last acknowledged with. */
  record OrderValues(String customerRef, BigDecimal amount) {}

  final Map<Long, OrderValues> orders = new ConcurrentHashMap<>();

  /** The carrier as written (old form); reads from new give its code. */
  final Map<UUID, String> carriers = new ConcurrentHashMap<>();

  private final PurchaseOrderRepository orderRepository;
  private final ShipmentRepository shipmentRepository;
  private final AtomicLong operations = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong anomalies = new AtomicLong();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Future<?>> clients = new ArrayList<>();
  private ExecutorService pool;

  SampleTraffic(PurchaseOrderRepository orders, ShipmentRepository shipments) {
    this.orderRepository = orders;
    this.shipmentRepository = shipments;
  }

  /** Starts the clients; each takes its share of the rows acknowledged so far. */
  void start(int threads) {
    pool = Executors.newFixedThreadPool(threads);
    for (int t = 0; t < threads; t++) {
      int thread = t;
      List<Long> ownOrders = new ArrayList<>();
      orders.keySet().stream().filter(id -> id % threads == thread).forEach(ownOrders::add);
      List<UUID> ownShipments = new ArrayList<>();
      carriers.keySet().stream()
          .filter(id -> Math.floorMod(id.hashCode(), threads) == thread)
          .forEach(ownShipments::add);
      clients.add(pool.submit(() -> run(thread, ownOrders, ownShipments)));
    }
  }

  /** Waits until the clients made {@code more} calls (or one failed). */
  void awaitMore(long more) {
    long target = operations.get() + more;
    Poll.until(
        Duration.ofSeconds(60),
        more + " more calls",
        operations::get,
        done -> done >= target || errors.get() > 0);
  }

  void stop() throws Exception {
    stop.set(true);
    for (Future<?> client : clients) {
      client.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
  }

  long operations() {
    return operations.get();
  }

  long errors() {
    return errors.get();
  }

  long anomalies() {
    return anomalies.get();
  }

  List<String> problems() {
    return problems;
  }

  private void run(int thread, List<Long> ownOrders, List<UUID> ownShipments) {
    Random random = new Random(thread);
    int n = 0;
    while (!stop.get()) {
      int dice = random.nextInt(100);
      try {
        n++;
        if (dice < 20 || ownOrders.isEmpty()) {
          PurchaseOrder saved =
              orderRepository.save(
                  new PurchaseOrder("item " + n, "C-" + thread + "-" + n, amount(random)));
          ownOrders.add(saved.getId());
          orders.put(saved.getId(), values(saved));
        } else if (dice < 35) {
          Long id = ownOrders.get(random.nextInt(ownOrders.size()));
          Optional<PurchaseOrder> loaded = orderRepository.findById(id);
          if (loaded.isEmpty()) {
            anomaly("order " + id + " is gone");
          } else {
            loaded.get().setCustomerRef("U-" + thread + "-" + n);
            loaded.get().setAmount(amount(random));
            orders.put(id, values(orderRepository.save(loaded.get())));
          }
        } else if (dice < 55) {
          Long id = ownOrders.get(random.nextInt(ownOrders.size()));
          OrderValues expected = orders.get(id);
          Optional<OrderValues> read = orderRepository.findById(id).map(SampleTraffic::values);
          if (!read.equals(Optional.of(expected))) {
            anomaly("order " + id + " reads " + read + ", acknowledged " + expected);
          }
        } else if (dice < 70 || ownShipments.isEmpty()) {
          UUID id = UUID.randomUUID();
          String carrier = CARRIERS[random.nextInt(CARRIERS.length)];
          shipmentRepository.save(new Shipment(id, "T" + thread + "-" + n, carrier));
          ownShipments.add(id);
          carriers.put(id, carrier);
        } else if (dice < 80) {
          UUID id = ownShipments.get(random.nextInt(ownShipments.size()));
          Optional<Shipment> loaded = shipmentRepository.findById(id);
          if (loaded.isEmpty()) {
            anomaly("shipment " + id + " is gone");
          } else {
            String carrier = CARRIERS[random.nextInt(CARRIERS.length)];
            loaded.get().setCarrier(carrier);
            shipmentRepository.save(loaded.get());
            carriers.put(id, carrier);
          }
        } else {
          UUID id = ownShipments.get(random.nextInt(ownShipments.size()));
          String written = carriers.get(id);
          Optional<String> read = shipmentRepository.findById(id).map(Shipment::getCarrier);
          // Below 100% of reads from new, a key may read either form.
          if (!read.equals(Optional.of(written))
              && !read.equals(Optional.of(SampleMigrations.carrierCode(written)))) {
            anomaly("shipment " + id + " reads " + read + ", acknowledged " + written);
          }
        }
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        problem(e.toString());
      }
      operations.incrementAndGet();
    }
  }

  static OrderValues values(PurchaseOrder order) {
    return new OrderValues(order.getCustomerRef(), order.getAmount());
  }

  /** Up to 9,999.99, with the new column's scale. */
  private static BigDecimal amount(Random random) {
    return BigDecimal.valueOf(random.nextInt(1_000_000), 2);
  }

  private void anomaly(String what) {
    anomalies.incrementAndGet();
    problem(what);
  }

  private void problem(String what) {
    if (problems.size() < 10) {
      problems.add(what);
    }
  }
}
