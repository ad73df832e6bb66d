package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * deleteAll() and deleteAllInBatch() of an entity with a table migration, while another thread
 * keeps inserting customers: every customer that survives keeps its new row, and every deleted one
 * loses it. An unconditional delete of the new table would take the new rows of inserts committed
 * between the old delete and the new one.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class BatchDeleteUnderInsertsTest extends ItSupport {

  private static final int ROUNDS = 40;
  private static final int INSERTERS = 2;

  @Test
  void deleteAllInBatchKeepsTheNewRowsOfConcurrentInserts() throws Exception {
    underInserts(() -> customers.deleteAllInBatch());
  }

  @Test
  void deleteAllKeepsTheNewRowsOfConcurrentInserts() throws Exception {
    underInserts(() -> customers.deleteAll());
  }

  private void underInserts(Runnable delete) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong inserted = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CountDownLatch inserting = new CountDownLatch(1);
    List<Thread> inserters = new ArrayList<>();
    for (int i = 0; i < INSERTERS; i++) {
      Thread inserter =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    customers.save(new Customer("inserted", "x@y.org", "A", "B", "1"));
                    inserted.incrementAndGet();
                    inserting.countDown();
                  } catch (RuntimeException e) {
                    failures.add(e);
                    return;
                  }
                }
              },
              "concurrent-inserter-" + i);
      inserter.start();
      inserters.add(inserter);
    }
    try {
      assertThat(inserting.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      for (int round = 0; round < ROUNDS; round++) {
        delete.run();
      }
    } finally {
      stop.set(true);
      for (Thread inserter : inserters) {
        inserter.join(TIMEOUT.toMillis());
      }
    }
    assertThat(failures).isEmpty();
    assertThat(inserted.get()).isPositive();
    assertThat(oldRowsWithoutNewRow()).as("customers whose new row was deleted").isEmpty();
    assertThat(newRowsWithoutOldRow()).as("new rows of deleted customers").isEmpty();
  }

  private List<Long> oldRowsWithoutNewRow() {
    return jdbc.queryForList(
        "select id from customers c where not exists"
            + " (select 1 from customer_addresses a where a.customer_id = c.id)",
        Long.class);
  }

  private List<Long> newRowsWithoutOldRow() {
    return jdbc.queryForList(
        "select customer_id from customer_addresses a where not exists"
            + " (select 1 from customers c where c.id = a.customer_id)",
        Long.class);
  }
}
