package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** H2 has no triggers the safety net can use: enabling it fails the build, naming the property. */
class H2SafetyNetTest {

  @Test
  void theNetIsRefusedOnADatabaseWithoutTriggers() {
    try (HikariDataSource h2 = TestDatabase.H2.create("safety_net_h2")) {
      Customers.recreate(h2);
      assertThatThrownBy(
              () ->
                  ExpandContract.builder(h2)
                      .migration(
                          Customers.emailModel(false, Customers.smallBatches(50)).migration())
                      .tablePrefix(Customers.STATE_PREFIX)
                      .soakTime(Duration.ZERO)
                      .safetyNet(true)
                      .build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("safety net")
          .hasMessageContaining("expand-contract.safety-net.enabled=false");
    }
  }
}
