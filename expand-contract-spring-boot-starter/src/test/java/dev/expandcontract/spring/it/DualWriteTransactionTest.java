package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Dual writes happen inside the caller's transaction: a rollback removes old and new together, a
 * commit writes both, and a failing new write takes the old write down with it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class DualWriteTransactionTest extends ItSupport {

  @Test
  void rollbackOfTheCallersTransactionRemovesOldAndNew() {
    AtomicLong id = new AtomicLong();
    assertThatThrownBy(
            () ->
                transaction()
                    .executeWithoutResult(
                        status -> {
                          Customer saved =
                              customers.save(
                                  new Customer(
                                      "rolled-back",
                                      " Ann@Example.COM ",
                                      "Main St 1",
                                      "Springfield",
                                      "12345"));
                          id.set(saved.getId());
                          // Inside the transaction both schemas have the row ...
                          assertThat(emailColumns(saved.getId()))
                              .containsEntry("email_normalized", "ann@example.com");
                          assertThat(addressRow(saved.getId())).hasSize(1);
                          throw new IllegalStateException("the caller fails after the save");
                        }))
        .isInstanceOf(IllegalStateException.class);

    // ... and after the rollback neither has it.
    assertThat(id.get()).isPositive();
    assertThat(
            jdbc.queryForObject(
                "select count(*) from customers where id = ? or name = 'rolled-back'",
                Long.class,
                id.get()))
        .isZero();
    assertThat(
            jdbc.queryForObject(
                "select count(*) from customers where email_normalized = 'ann@example.com'",
                Long.class))
        .isZero();
    assertThat(addressRow(id.get())).isEmpty();
  }

  @Test
  void committedSaveWritesOldAndNew() {
    Customer saved =
        customers.save(
            new Customer("committed", " Bea@Example.COM ", "Elm St 2", "Shelbyville", "54321"));

    assertThat(emailColumns(saved.getId()))
        .containsEntry("email", " Bea@Example.COM ")
        .containsEntry("email_normalized", "bea@example.com");
    assertThat(
            jdbc.queryForMap("select street, city, zip from customers where id = ?", saved.getId()))
        .containsEntry("street", "Elm St 2")
        .containsEntry("city", "Shelbyville")
        .containsEntry("zip", "54321");
    assertThat(addressRow(saved.getId()))
        .containsExactly(
            Map.of("street", "Elm St 2", "city", "Shelbyville", "postal_code", "54321"));
  }

  @Test
  void updateOfALoadedEntityRewritesOldAndNew() {
    Customer saved =
        customers.save(
            new Customer("updated", "Cid@Example.COM", "Oak St 3", "Ogdenville", "11111"));
    // A detached entity, as a web request would load and change it: save() merges it.
    Customer loaded = customers.findById(saved.getId()).orElseThrow();
    assertThat(loaded.getEmail()).isEqualTo("Cid@Example.COM");
    loaded.setEmail(" Cid.New@Example.COM");
    loaded.setCity("North Haverbrook");

    Customer updated = customers.save(loaded);

    assertThat(updated.getEmail()).isEqualTo(" Cid.New@Example.COM");
    assertThat(emailColumns(saved.getId()))
        .containsEntry("email", " Cid.New@Example.COM")
        .containsEntry("email_normalized", "cid.new@example.com");
    assertThat(addressRow(saved.getId()))
        .containsExactly(
            Map.of("street", "Oak St 3", "city", "North Haverbrook", "postal_code", "11111"));
  }

  @Test
  void anUpdateWritesOnlyTheMigrationsWhoseFieldsChanged() {
    Customer saved =
        customers.save(
            new Customer("only-email", "Eve@Example.COM", "Ash St 5", "Springfield", "33333"));
    // Rows a writer bypassing the application left in new: an update of the email alone must not
    // touch them, as plain JPA writes nothing of an unchanged attribute.
    jdbc.update(
        "update customer_addresses set city = 'untouched' where customer_id = ?", saved.getId());
    Customer loaded = customers.findById(saved.getId()).orElseThrow();
    loaded.setEmail("Eve.New@Example.COM");

    customers.save(loaded);

    assertThat(emailColumns(saved.getId()))
        .containsEntry("email_normalized", "eve.new@example.com");
    assertThat(addressRow(saved.getId()))
        .singleElement()
        .satisfies(row -> assertThat(row).containsEntry("city", "untouched"));
  }

  @Test
  void rollbackOfAnUpdateKeepsTheCommittedValues() {
    Customer saved =
        customers.save(
            new Customer("kept", "Dee@Example.COM", "Pine St 4", "Capital City", "22222"));

    assertThatThrownBy(
            () ->
                transaction()
                    .executeWithoutResult(
                        status -> {
                          Customer loaded = customers.findById(saved.getId()).orElseThrow();
                          loaded.setEmail("Changed@Example.COM");
                          loaded.setStreet("Changed St");
                          customers.save(loaded);
                          throw new IllegalStateException("the caller fails after the update");
                        }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(emailColumns(saved.getId()))
        .containsEntry("email", "Dee@Example.COM")
        .containsEntry("email_normalized", "dee@example.com");
    assertThat(addressRow(saved.getId()))
        .containsExactly(
            Map.of("street", "Pine St 4", "city", "Capital City", "postal_code", "22222"));
  }

  @Test
  void failingNewWriteRollsBackTheOldWrite() {
    long before = customers.count();
    // zip fits the old column (20) but not the new postal_code (10): the new write fails.
    assertThatThrownBy(
            () ->
                customers.save(
                    new Customer(
                        "too-long-zip",
                        "Eve@Example.COM",
                        "Ash St 5",
                        "Cypress Creek",
                        "123456789012345")))
        .isInstanceOf(RuntimeException.class);

    assertThat(customers.count()).isEqualTo(before);
    assertThat(
            jdbc.queryForObject(
                "select count(*) from customers where name = 'too-long-zip'", Long.class))
        .isZero();
  }

  @Test
  void deleteRemovesTheNewRowInTheSameTransaction() {
    Customer kept = customers.save(new Customer("kept2", "f@x.org", "A", "B", "1"));
    Customer byEntity = customers.save(new Customer("gone1", "g@x.org", "A", "B", "2"));
    Customer byId = customers.save(new Customer("gone2", "h@x.org", "A", "B", "3"));
    Customer rolledBack = customers.save(new Customer("stays", "i@x.org", "A", "B", "4"));

    customers.delete(byEntity);
    customers.deleteById(byId.getId());
    assertThatThrownBy(
            () ->
                transaction()
                    .executeWithoutResult(
                        status -> {
                          customers.deleteById(rolledBack.getId());
                          throw new IllegalStateException("the caller fails after the delete");
                        }))
        .isInstanceOf(IllegalStateException.class);

    assertThat(addressRow(byEntity.getId())).isEmpty();
    assertThat(addressRow(byId.getId())).isEmpty();
    assertThat(addressRow(kept.getId())).hasSize(1);
    assertThat(addressRow(rolledBack.getId())).hasSize(1);
    assertThat(customers.findAllById(List.of(kept.getId(), rolledBack.getId())))
        .extracting(Customer::getZip)
        .containsExactlyInAnyOrder("1", "4");
  }
}
