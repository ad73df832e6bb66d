package dev.expandcontract.demo;

import jakarta.persistence.EntityManager;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The application's use of the repository. Nothing here knows about the migrations: the entity's
 * row and its migrated columns are written in one transaction by the starter.
 */
@Service
@Transactional
public class CustomerService {

  private final CustomerRepository customers;
  private final EntityManager entityManager;

  public CustomerService(CustomerRepository customers, EntityManager entityManager) {
    this.customers = customers;
    this.entityManager = entityManager;
  }

  /** Returns the customer as stored, exactly as a following GET returns it. */
  public CustomerView create(CustomerRequest request) {
    Customer customer =
        new Customer(
            request.name(), request.email(), request.street(), request.city(), request.zip());
    return stored(customers.save(customer).getId());
  }

  @Transactional(readOnly = true)
  public Optional<CustomerView> find(long id) {
    return customers.findById(id).map(CustomerView::of);
  }

  @Transactional(readOnly = true)
  public List<CustomerView> findByEmail(String email) {
    return customers.findByEmail(email).stream().map(CustomerView::of).toList();
  }

  /**
   * Loads, changes and saves the managed entity ({@code save} of a detached copy would merge only
   * the JPA-mapped state and lose the migrated fields); returns the customer as stored.
   */
  public Optional<CustomerView> update(long id, CustomerRequest request) {
    return customers
        .findById(id)
        .map(
            customer -> {
              customer.setName(request.name());
              customer.setEmail(request.email());
              customer.setStreet(request.street());
              customer.setCity(request.city());
              customer.setZip(request.zip());
              return stored(customers.save(customer).getId());
            });
  }

  /**
   * Re-reads a saved customer in this transaction, so the migrated fields come from the schema
   * reads use now: once reads switched to new, the email is the normalized one. As in plain JPA, a
   * find in the same persistence context returns the managed instance as the application left it,
   * so the context is flushed (old and new are written) and cleared first.
   */
  private CustomerView stored(long id) {
    customers.flush();
    entityManager.clear();
    return customers.findById(id).map(CustomerView::of).orElseThrow();
  }

  public boolean delete(long id) {
    if (!customers.existsById(id)) {
      return false;
    }
    customers.deleteById(id);
    return true;
  }
}
