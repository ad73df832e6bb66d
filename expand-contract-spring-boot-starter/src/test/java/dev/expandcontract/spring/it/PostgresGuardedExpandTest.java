package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;

class PostgresGuardedExpandTest extends GuardedExpandTest {

  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  String sessionIdQuery() {
    return "SELECT pg_backend_pid()";
  }

  @Override
  String holderName(long sessionId) {
    return "pid " + sessionId;
  }
}
