package dev.expandcontract.demo;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Optional traffic ({@code demo.load.enabled}) through the same service the API uses, so a person
 * watching the dashboard sees dual writes and routed reads while the migrations run. Writes are
 * half creates, a third updates and the rest deletes of random customers, seeded ones included;
 * reads are mostly by id, some by email. Every ten seconds it logs what it did.
 */
@Component
class TrafficGenerator implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(TrafficGenerator.class);

  private final CustomerService customers;
  private final DemoSeeder seeder;
  private final DemoProperties.Load load;
  private final AtomicLong highestId = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicInteger created = new AtomicInteger();
  private ScheduledExecutorService executor;

  TrafficGenerator(CustomerService customers, DemoSeeder seeder, DemoProperties properties) {
    this.customers = customers;
    this.seeder = seeder;
    this.load = properties.load();
  }

  @Override
  public synchronized void start() {
    if (!load.enabled() || executor != null) {
      return;
    }
    AtomicInteger threads = new AtomicInteger();
    executor =
        Executors.newScheduledThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "demo-load-" + threads.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    ScheduledExecutorService started = executor;
    // Our own inserts would make the seeder find a non-empty table and skip, so wait for it.
    started.execute(
        () -> {
          try {
            seeder.awaitSeeded(Duration.ofHours(1));
          } catch (InterruptedException e) {
            return; // stopped while waiting
          } catch (RuntimeException e) {
            log.warn("Demo load starts without seed rows: {}", e.getMessage());
          }
          schedule(started, this::write, load.writesPerSecond());
          schedule(started, this::read, load.readsPerSecond());
          started.scheduleAtFixedRate(this::report, 10, 10, TimeUnit.SECONDS);
          log.info(
              "Demo load: {} writes/s, {} reads/s", load.writesPerSecond(), load.readsPerSecond());
        });
  }

  @Override
  public synchronized void stop() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor = null;
  }

  @Override
  public synchronized boolean isRunning() {
    return executor != null;
  }

  private void schedule(ScheduledExecutorService on, Runnable operation, int perSecond) {
    if (perSecond > 0 && !on.isShutdown()) {
      long period = Math.max(1, 1_000_000L / perSecond);
      on.scheduleAtFixedRate(guarded(operation), 0, period, TimeUnit.MICROSECONDS);
    }
  }

  private void write() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    double dice = random.nextDouble();
    if (dice < 0.5 || highestId.get() == 0) {
      int n = created.incrementAndGet();
      CustomerView view =
          customers.create(
              new CustomerRequest(
                  "Load " + n,
                  " Load" + n + "@Example.COM",
                  n + " Side Street",
                  "Utrecht",
                  String.valueOf(10_000 + n % 90_000)));
      highestId.accumulateAndGet(view.id(), Math::max);
    } else if (dice < 0.85) {
      long id = randomId(random);
      customers.update(
          id,
          new CustomerRequest(
              "Updated " + id,
              "Updated" + id + "@Example.COM ",
              id % 300 + " High Street",
              "Ghent",
              String.valueOf(20_000 + id % 70_000)));
    } else {
      customers.delete(randomId(random));
    }
    writes.incrementAndGet();
  }

  private void read() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    if (highestId.get() == 0 || random.nextDouble() < 0.2) {
      customers.findByEmail("user" + random.nextInt(1, 1_000) + "@example.com");
    } else {
      customers.find(randomId(random));
    }
    reads.incrementAndGet();
  }

  /** A key in 1..highest, seeded rows included; it may be deleted by now, which is fine. */
  private long randomId(ThreadLocalRandom random) {
    return random.nextLong(1, highestId.get() + 1);
  }

  private Runnable guarded(Runnable operation) {
    // A scheduled task that throws is never run again: count, and keep the traffic going.
    return () -> {
      try {
        operation.run();
      } catch (RuntimeException e) {
        if (errors.incrementAndGet() % 100 == 1) {
          log.warn("Demo load request failed ({} so far): {}", errors.get(), e.toString());
        }
      }
    };
  }

  private void report() {
    log.info(
        "Demo load so far: {} writes, {} reads, {} errors",
        writes.get(),
        reads.get(),
        errors.get());
  }
}
