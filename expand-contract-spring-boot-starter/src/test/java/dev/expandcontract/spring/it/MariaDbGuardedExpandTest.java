package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.test.TestDatabase;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

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

  /**
   * With a tool as the default executor, the expand's ALTER runs through it, while Flyway still
   * creates its own history table, a CREATE TABLE the tool would refuse.
   */
  @Test
  void ptOnlineSchemaChangeAsTheDefaultRunsTheExpandAndFlywayKeepsItsHistory() throws Exception {
    AtomicInteger reports = new AtomicInteger();

    guardedFlyway(3, reports, "pt-osc").migrate();

    assertThat(columnExists()).as("orders.status after the expand").isTrue();
    assertThat(reports.get()).as("pt-osc's progress reports (started ... done)").isGreaterThan(1);
  }
}
