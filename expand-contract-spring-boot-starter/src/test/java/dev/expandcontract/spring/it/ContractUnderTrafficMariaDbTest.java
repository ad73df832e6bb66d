package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

class ContractUnderTrafficMariaDbTest extends ContractUnderTrafficTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.MARIADB, "starter_contract");
  }

  @Override
  String lockTimeoutIsDefaultQuery() {
    return "select case when @@session.lock_wait_timeout = @@global.lock_wait_timeout then 1 else 0 end";
  }
}
