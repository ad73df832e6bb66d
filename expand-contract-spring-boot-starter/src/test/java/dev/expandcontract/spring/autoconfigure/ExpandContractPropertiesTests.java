package dev.expandcontract.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.ThrottleSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The properties' defaults are the core builder's defaults, as Spring Boot tests its own. */
class ExpandContractPropertiesTests {

  private final ExpandContractProperties defaults =
      new Binder(new MapConfigurationPropertySource(Map.of("expand-contract.enabled", "true")))
          .bindOrCreate("expand-contract", ExpandContractProperties.class);

  @Test
  void defaultsEqualTheCoreDefaults() {
    assertThat(defaults.enabled()).isTrue();
    assertThat(defaults.tablePrefix()).isEqualTo(ExpandContract.DEFAULT_TABLE_PREFIX);
    assertThat(defaults.soakTime()).isEqualTo(ExpandContract.DEFAULT_SOAK_TIME);
    assertThat(defaults.instanceTimeout()).isEqualTo(ExpandContract.DEFAULT_INSTANCE_TIMEOUT);
    assertThat(defaults.verifyBatchSize()).isEqualTo(ExpandContract.DEFAULT_VERIFY_BATCH_SIZE);
    assertThat(defaults.backfill().workers()).isEqualTo(ExpandContract.DEFAULT_BACKFILL_WORKERS);
    assertThat(defaults.backfill().claimLease()).isEqualTo(ExpandContract.DEFAULT_CLAIM_LEASE);
    assertThat(defaults.backfill().chunkRows()).isEqualTo(ExpandContract.DEFAULT_CHUNK_ROWS);
    assertThat(defaults.safetyNet().enabled()).isEqualTo(ExpandContract.DEFAULT_SAFETY_NET);
  }

  @Test
  void anInstanceTimeoutThatFitsTooFewRefreshesIsRefusedNamingBothProperties() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of(
                    "expand-contract.refresh-interval", "15s",
                    "expand-contract.instance-timeout", "30s")));

    assertThatThrownBy(() -> binder.bindOrCreate("expand-contract", ExpandContractProperties.class))
        .rootCause()
        .hasMessageContaining("expand-contract.instance-timeout (PT30S)")
        .hasMessageContaining("3 times expand-contract.refresh-interval (PT15S)");
  }

  @Test
  void anUnknownDdlExecutorIsRefusedNamingTheProperty() {
    Binder binder =
        new Binder(
            new MapConfigurationPropertySource(Map.of("expand-contract.ddl.executor", "pt_osc")));

    assertThatThrownBy(() -> binder.bindOrCreate("expand-contract", ExpandContractProperties.class))
        .rootCause()
        .hasMessage(
            "expand-contract.ddl.executor is 'pt_osc', not a DDL executor; one of native, pt-osc,"
                + " gh-ost, pg-osc");
    assertThat(defaults.ddl().migrationExecutors()).isEmpty();
  }

  @Test
  void anUnsetBackfillPropertyTakesTheCoreDefault() {
    ExpandContractProperties.MigrationProperties nothingSet =
        new ExpandContractProperties.MigrationProperties(
            null, "t", "id", null, null, null, null, null, null, null, null, null, null, null, null,
            null);
    assertThat(nothingSet.backfillSettings()).isEqualTo(BackfillSettings.DEFAULTS);
  }

  @Test
  void throttlePropertiesOfAMigrationBindAndTheRestTakeTheCoreDefaults() {
    ExpandContractProperties bound =
        new Binder(
                new MapConfigurationPropertySource(
                    Map.of(
                        "expand-contract.migrations.m.table", "t",
                        "expand-contract.migrations.m.key", "id",
                        "expand-contract.migrations.m.throttle.max-active-sessions", "4",
                        "expand-contract.migrations.m.throttle.throttled-pause", "2s")))
            .bindOrCreate("expand-contract", ExpandContractProperties.class);

    ThrottleSettings throttle = bound.migrations().get("m").backfillSettings().throttle();
    ThrottleSettings d = ThrottleSettings.DEFAULTS;
    assertThat(throttle)
        .isEqualTo(
            new ThrottleSettings(
                d.maxBlockedSessions(),
                4,
                d.maxCommitTime(),
                d.criticalActiveSessions(),
                Duration.ofSeconds(2),
                d.fullSpeedBatchTime()));
  }
}
