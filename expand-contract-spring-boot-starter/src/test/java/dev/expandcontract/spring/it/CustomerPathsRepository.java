package dev.expandcontract.spring.it;

import java.util.List;
import java.util.stream.Stream;
import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Modifying;
import org.springframework.data.jpa.repository.Query;

/** The customers again, through the repository method kinds the interceptor must classify. */
public interface CustomerPathsRepository extends JpaRepository<Customer, Long> {

  Stream<Customer> streamByName(String name);

  long deleteByName(String name);

  List<Customer> removeByName(String name);

  @Modifying
  @Query("delete from Customer c where c.name = :name")
  int purgeNamed(String name);

  @Modifying
  @Query("update Customer c set c.name = :name where c.id = :id")
  int rename(Long id, String name);
}
