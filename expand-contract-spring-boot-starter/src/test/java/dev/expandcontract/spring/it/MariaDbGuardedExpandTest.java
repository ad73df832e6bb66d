package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;

class MariaDbGuardedExpandTest extends GuardedExpandTest {

  @Override
  TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  @Override
  String sessionIdQuery() {
    return "SELECT CONNECTION_ID()";
  }

  @Override
  String holderName(long sessionId) {
    return "thread " + sessionId;
  }
}
