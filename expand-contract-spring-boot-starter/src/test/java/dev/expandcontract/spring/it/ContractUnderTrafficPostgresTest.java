package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

class ContractUnderTrafficPostgresTest extends ContractUnderTrafficTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.POSTGRES, "starter_contract");
  }

  @Override
  String lockTimeoutIsDefaultQuery() {
    return "select case when setting = reset_val then 1 else 0 end from pg_settings"
        + " where name = 'lock_timeout'";
  }
}
