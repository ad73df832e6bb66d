package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.util.Set;

class PostgresConvergenceTest extends AbstractConvergenceTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  protected Set<String> retryableSqlStates() {
    return Set.of("40P01", "40001"); // deadlock detected, serialization failure
  }
}
