package dev.expandcontract.spring.it;

import org.springframework.data.jpa.repository.JpaRepository;

public interface VersionedCustomerRepository extends JpaRepository<VersionedCustomer, Long> {}
