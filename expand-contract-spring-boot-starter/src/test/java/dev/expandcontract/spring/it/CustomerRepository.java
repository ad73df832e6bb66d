package dev.expandcontract.spring.it;

import dev.expandcontract.spring.RoutedQuery;
import java.util.List;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.NativeQuery;

public interface CustomerRepository extends JpaRepository<Customer, Long> {

  /** Filters on the old column; runs {@link #findByEmailNormalized} once reads go new. */
  @RoutedQuery(migration = "customer-email", newQuery = "findByEmailNormalized")
  @NativeQuery("select * from customers where email = :email")
  List<Customer> findByEmail(String email);

  /**
   * The twin on the new column. It names its columns: a {@code select *} plan cached by the
   * PostgreSQL driver would fail once the contract drops {@code email}.
   */
  @NativeQuery("select id, name from customers where email_normalized = lower(trim(:email))")
  List<Customer> findByEmailNormalized(String email);
}
