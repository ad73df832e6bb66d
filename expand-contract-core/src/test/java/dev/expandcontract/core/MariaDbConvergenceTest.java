package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.util.Set;

class MariaDbConvergenceTest extends AbstractConvergenceTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  @Override
  protected Set<String> retryableSqlStates() {
    return Set.of("40001"); // ER_LOCK_DEADLOCK
  }
}
