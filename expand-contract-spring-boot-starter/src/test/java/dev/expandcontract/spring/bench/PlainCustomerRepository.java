package dev.expandcontract.spring.bench;

import org.springframework.data.jpa.repository.JpaRepository;

public interface PlainCustomerRepository extends JpaRepository<PlainCustomer, Long> {}
