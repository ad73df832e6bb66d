package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Root;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * Every way a user can load an entity fills its migrated fields, so that saving it after a change
 * of a mapped field keeps old and new; every repository method kind either dual-writes or is
 * refused before it runs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE)
abstract class EntityPathsTest extends ItSupport {

  @Autowired CustomerPathsRepository paths;
  @Autowired CustomerOrderRepository orders;
  @PersistenceContext EntityManager entityManager;

  private Customer savedCustomer(String name) {
    return customers.save(
        new Customer(name, " " + name + "@Example.COM ", name + " St 1", "Springfield", "12345"));
  }

  /** Loads the customer one way, renames it and saves it through the repository. */
  private void renameAfterLoading(Customer stored, Function<Long, Customer> load) {
    transaction()
        .executeWithoutResult(
            status -> {
              Customer loaded = load.apply(stored.getId());
              assertThat(loaded.getEmail()).as("email as loaded").isEqualTo(stored.getEmail());
              assertThat(loaded.getZip()).as("zip as loaded").isEqualTo("12345");
              loaded.setName(stored.getName() + "-renamed");
              customers.save(loaded);
            });
    assertThat(emailColumns(stored.getId()))
        .containsEntry("email", stored.getEmail())
        .containsEntry("email_normalized", stored.getEmail().trim().toLowerCase());
    assertThat(addressRow(stored.getId()))
        .containsExactly(
            Map.of("street", stored.getStreet(), "city", "Springfield", "postal_code", "12345"));
  }

  @Test
  void repositoryStreamFillsMigratedFields() {
    Customer stored = savedCustomer("streamed");
    renameAfterLoading(stored, id -> paths.streamByName("streamed").findFirst().orElseThrow());
  }

  @Test
  void entityManagerFindFillsMigratedFields() {
    Customer stored = savedCustomer("found");
    renameAfterLoading(stored, id -> entityManager.find(Customer.class, id));
  }

  @Test
  void jpqlQueryFillsMigratedFields() {
    Customer stored = savedCustomer("jpql");
    renameAfterLoading(
        stored,
        id ->
            entityManager
                .createQuery("select c from Customer c where c.id = :id", Customer.class)
                .setParameter("id", id)
                .getSingleResult());
  }

  @Test
  void criteriaQueryFillsMigratedFields() {
    Customer stored = savedCustomer("criteria");
    renameAfterLoading(
        stored,
        id -> {
          CriteriaBuilder builder = entityManager.getCriteriaBuilder();
          CriteriaQuery<Customer> query = builder.createQuery(Customer.class);
          Root<Customer> customer = query.from(Customer.class);
          query.where(builder.equal(customer.get("id"), id));
          return entityManager.createQuery(query).getSingleResult();
        });
  }

  @Test
  void lazyAssociationFillsMigratedFields() {
    Customer stored = savedCustomer("ordering");
    long order = orders.save(new CustomerOrder(stored, "book")).getId();
    renameAfterLoading(stored, id -> orders.findById(order).orElseThrow().getCustomer());
  }

  @Test
  void referenceFillsMigratedFields() {
    Customer stored = savedCustomer("referenced");
    renameAfterLoading(stored, id -> customers.getReferenceById(id));
  }

  /**
   * JPA's dirty checking, no save: the migrated change is dual-written when the session flushes.
   */
  @Test
  void changeOfAManagedEntityWithoutSaveIsDualWritten() {
    Customer stored = savedCustomer("dirty");

    transaction()
        .executeWithoutResult(
            status -> {
              Customer loaded = entityManager.find(Customer.class, stored.getId());
              loaded.setEmail(" Dirty.New@Example.COM");
              loaded.setZip("54321");
            });

    assertThat(emailColumns(stored.getId()))
        .containsEntry("email", " Dirty.New@Example.COM")
        .containsEntry("email_normalized", "dirty.new@example.com");
    assertThat(addressRow(stored.getId()))
        .containsExactly(
            Map.of("street", stored.getStreet(), "city", "Springfield", "postal_code", "54321"));
  }

  @Test
  void persistThroughTheEntityManagerIsDualWritten() {
    Customer created = new Customer("persisted", " Per@Example.COM ", "Elm St 9", "Ogden", "777");

    transaction().executeWithoutResult(status -> entityManager.persist(created));

    assertThat(emailColumns(created.getId()))
        .containsEntry("email", " Per@Example.COM ")
        .containsEntry("email_normalized", "per@example.com");
    assertThat(addressRow(created.getId()))
        .containsExactly(Map.of("street", "Elm St 9", "city", "Ogden", "postal_code", "777"));
  }

  @Test
  void oneQueryFillsEveryInstanceItLoaded() {
    Map<Long, Customer> stored =
        Stream.of("many-1", "many-2", "many-3")
            .map(this::savedCustomer)
            .collect(Collectors.toMap(Customer::getId, c -> c));
    transaction()
        .executeWithoutResult(
            status ->
                entityManager
                    .createQuery("select c from Customer c where c.id in :ids", Customer.class)
                    .setParameter("ids", stored.keySet())
                    .getResultList()
                    .forEach(
                        loaded ->
                            assertThat(loaded.getEmail())
                                .isEqualTo(stored.get(loaded.getId()).getEmail())));
  }

  @Test
  void derivedRemoveByRemovesTheNewRow() {
    Customer stored = savedCustomer("removed");

    assertThat(paths.removeByName("removed")).hasSize(1);

    assertThat(customers.existsById(stored.getId())).isFalse();
    assertThat(addressRow(stored.getId())).isEmpty();
  }

  @Test
  void derivedDeleteByRemovesTheNewRow() {
    Customer stored = savedCustomer("deleted");

    assertThat(paths.deleteByName("deleted")).isEqualTo(1);

    assertThat(customers.existsById(stored.getId())).isFalse();
    assertThat(addressRow(stored.getId())).isEmpty();
  }

  @Test
  void modifyingDeleteIsRefusedBeforeItRuns() {
    Customer stored = savedCustomer("purged");

    assertThatThrownBy(() -> paths.purgeNamed("purged"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("CustomerPathsRepository.purgeNamed")
        .hasMessageContaining("@Modifying");

    assertThat(customers.existsById(stored.getId())).isTrue();
    assertThat(addressRow(stored.getId())).hasSize(1);
  }

  @Test
  void modifyingUpdateIsRefusedBeforeItRuns() {
    Customer stored = savedCustomer("kept-name");

    assertThatThrownBy(() -> paths.rename(stored.getId(), "other"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("CustomerPathsRepository.rename");

    assertThat(customers.findById(stored.getId()).orElseThrow().getName()).isEqualTo("kept-name");
  }

  @Test
  void batchDeleteByIdsRemovesExactlyTheirNewRows() {
    Customer gone = savedCustomer("batch-gone");
    Customer kept = savedCustomer("batch-kept");

    paths.deleteAllByIdInBatch(List.of(gone.getId()));

    assertThat(addressRow(gone.getId())).isEmpty();
    assertThat(addressRow(kept.getId())).hasSize(1);
  }
}
