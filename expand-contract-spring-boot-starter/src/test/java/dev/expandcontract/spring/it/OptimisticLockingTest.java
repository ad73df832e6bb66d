package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.OptimisticLockingFailureException;

/**
 * {@code @Version} holds for migrated fields as for mapped ones: of two read-modify-save
 * transactions that change only a migrated field of the same entity, the second is refused instead
 * of overwriting the first.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class OptimisticLockingTest extends ItSupport {

  @Autowired VersionedCustomerRepository versioned;

  @Test
  void secondSaveOfAStaleDetachedEntityIsRefused() {
    long id = versioned.save(new VersionedCustomer("detached", "first@x.org")).getId();
    VersionedCustomer first = versioned.findById(id).orElseThrow();
    VersionedCustomer second = versioned.findById(id).orElseThrow();

    first.setEmail("first-change@x.org");
    versioned.save(first);
    second.setEmail("second-change@x.org");
    Throwable refused = catchThrowable(() -> versioned.save(second));

    assertThat(refused).isInstanceOf(OptimisticLockingFailureException.class);
    assertThat(emailColumns(id)).containsEntry("email", "first-change@x.org");
  }

  @Test
  void secondOfTwoConcurrentTransactionsIsRefused() throws Exception {
    secondOfTwoConcurrentChangesIsRefused(true);
  }

  /** JPA's dirty checking without a save: the change is written at flush, and locked the same. */
  @Test
  void secondOfTwoConcurrentChangesWithoutSaveIsRefused() throws Exception {
    secondOfTwoConcurrentChangesIsRefused(false);
  }

  private void secondOfTwoConcurrentChangesIsRefused(boolean save) throws Exception {
    long id = versioned.save(new VersionedCustomer("concurrent", "start@x.org")).getId();
    CountDownLatch secondLoaded = new CountDownLatch(1);
    CountDownLatch firstCommitted = new CountDownLatch(1);

    CompletableFuture<Throwable> second =
        CompletableFuture.supplyAsync(
            () ->
                catchThrowable(
                    () ->
                        transaction()
                            .executeWithoutResult(
                                status -> {
                                  VersionedCustomer loaded = versioned.findById(id).orElseThrow();
                                  secondLoaded.countDown();
                                  await(firstCommitted);
                                  loaded.setEmail("second@x.org");
                                  if (save) {
                                    versioned.save(loaded);
                                  }
                                })));
    await(secondLoaded);
    transaction()
        .executeWithoutResult(
            status -> {
              VersionedCustomer loaded = versioned.findById(id).orElseThrow();
              loaded.setEmail("first@x.org");
              if (save) {
                versioned.save(loaded);
              }
            });
    firstCommitted.countDown();

    Throwable refused = second.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertThat(refused).isInstanceOf(OptimisticLockingFailureException.class);
    assertThat(emailColumns(id)).containsEntry("email", "first@x.org");
    assertThat(versioned.findById(id).orElseThrow().getEmail()).isEqualTo("first@x.org");
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
