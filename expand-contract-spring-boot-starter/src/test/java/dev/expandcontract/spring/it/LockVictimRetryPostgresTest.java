package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.test.TestDatabase;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A repository call the library runs in its own transaction is retried when the database rolls it
 * back as a lock victim: here a 300 ms lock timeout behind another transaction that holds the row
 * for half a second. Without the retry the save fails.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = "spring.datasource.hikari.connection-init-sql=SET lock_timeout = '300ms'")
class LockVictimRetryPostgresTest extends ItSupport {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.POSTGRES, "starter_retry");
  }

  @Test
  void aSaveThatLostItsLockWaitIsRetriedAndLands() throws Exception {
    Customer saved = customers.save(new Customer("retry", " First@X.org", "S", "C", "Z"));
    Customer loaded = customers.findById(saved.getId()).orElseThrow();
    loaded.setEmail("Second@X.org");

    CountDownLatch locked = new CountDownLatch(1);
    CompletableFuture<Void> holder =
        CompletableFuture.runAsync(
            () ->
                transaction()
                    .executeWithoutResult(
                        status -> {
                          jdbc.queryForList(
                              "select id from customers where id = ? for update", saved.getId());
                          locked.countDown();
                          // The "long transaction" of the scenario: longer than one lock timeout,
                          // shorter than the retries' total wait.
                          jdbc.execute("select pg_sleep(0.5)");
                        }));
    assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();

    long started = System.nanoTime();
    customers.save(loaded);
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;
    holder.get(10, TimeUnit.SECONDS);

    assertThat(waitedMillis)
        .as("the first attempt gave up after its lock timeout")
        .isGreaterThan(300);
    assertThat(emailColumns(saved.getId()))
        .containsEntry("email", "Second@X.org")
        .containsEntry("email_normalized", "second@x.org");
  }
}
