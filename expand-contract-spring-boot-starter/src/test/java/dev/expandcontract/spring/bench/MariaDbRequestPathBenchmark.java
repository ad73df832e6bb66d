package dev.expandcontract.spring.bench;

import dev.expandcontract.spring.it.ItDatabases;
import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

class MariaDbRequestPathBenchmark extends AbstractRequestPathBenchmark {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.MARIADB, "request_path_benchmark");
  }

  @Override
  protected String database() {
    return "MariaDb";
  }
}
