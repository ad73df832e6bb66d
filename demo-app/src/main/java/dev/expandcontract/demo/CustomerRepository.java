package dev.expandcontract.demo;

import dev.expandcontract.spring.RoutedQuery;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.NativeQuery;

/**
 * A plain Spring Data repository: the starter wraps it so that saves dual-write the migrated
 * columns and reads fill them. Native queries select only the columns the entity maps: the old
 * columns are dropped under traffic, and a prepared {@code select *} would change its result type
 * (an error on PostgreSQL).
 */
public interface CustomerRepository extends JpaRepository<Customer, Long> {

  /**
   * Filters on the old column until the {@code customer-email} flag routes reads to new; then
   * {@link #findByEmailNormalized(String)} runs instead (sticky per email).
   */
  @RoutedQuery(migration = "customer-email", newQuery = "findByEmailNormalized")
  @NativeQuery("select id, name from customers where email = :email")
  List<Customer> findByEmail(String email);

  /** The same query on the new column, which holds lower(trim(email)). */
  @NativeQuery("select id, name from customers where email_normalized = lower(trim(:email))")
  List<Customer> findByEmailNormalized(String email);
}
