package dev.expandcontract.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.flags.Ff4jMigrationFlags;
import dev.expandcontract.core.flags.MigrationFlags;
import dev.expandcontract.core.flags.PhaseDrivenFlags;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import dev.expandcontract.spring.event.BackfillBatchFailedEvent;
import dev.expandcontract.spring.event.MigrationPhaseChangedEvent;
import dev.expandcontract.spring.observe.ExpandContractHealthIndicator;
import dev.expandcontract.spring.observe.ExpandContractMetrics;
import dev.expandcontract.test.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.ff4j.FF4j;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configurations on their own, without a server or JPA: what they create and when. */
class ExpandContractAutoConfigurationTests {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ExpandContractAutoConfiguration.class,
                  ExpandContractEndpointAutoConfiguration.class,
                  ExpandContractObservabilityAutoConfiguration.class,
                  EndpointAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class))
          .withPropertyValues("expand-contract.flags.store=in-memory")
          .withBean(
              DataSource.class,
              () -> TestDatabase.H2.create("autoconfig_" + DATABASES.incrementAndGet()));

  @Test
  void createsTheEngineWithFf4jFlagsByDefault() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(ExpandContract.class);
          assertThat(context).hasSingleBean(FF4j.class);
          assertThat(context.getBean(MigrationFlags.class)).isInstanceOf(Ff4jMigrationFlags.class);
          assertThat(context).hasBean("expandcontractHealthIndicator");
          assertThat(context).hasSingleBean(ExpandContractHealthIndicator.class);
        });
  }

  @Test
  void initializeSchemaNeverLeavesTheTablesToTheShippedScriptAndSaysSo() {
    runner
        .withPropertyValues("expand-contract.jdbc.initialize-schema=never")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("creating them is turned off")
                    .hasMessageContaining("expand_contract_migration")
                    .hasMessageContaining("dev/expandcontract/core/store/schema.sql"));
  }

  @Test
  void initializeSchemaEmbeddedCreatesTheTablesOnAnEmbeddedDatabase() {
    runner
        .withPropertyValues("expand-contract.jdbc.initialize-schema=embedded")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(ExpandContract.class).store().tables().missingTables())
                  .isEmpty();
            });
  }

  @Test
  void backsOffEntirelyWhenDisabled() {
    runner
        .withPropertyValues("expand-contract.enabled=false")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(ExpandContract.class);
              assertThat(context).doesNotHaveBean(MigrationFlags.class);
              assertThat(context).doesNotHaveBean(ExpandContractEndpoint.class);
              assertThat(context).doesNotHaveBean(ExpandContractMetrics.class);
            });
  }

  @Test
  void fallsBackToPhaseDrivenFlagsWithoutFf4j() {
    runner
        .withClassLoader(new FilteredClassLoader(FF4j.class))
        .run(
            context -> {
              assertThat(context).doesNotHaveBean("expandContractFf4j");
              assertThat(context.getBean(MigrationFlags.class))
                  .isInstanceOf(PhaseDrivenFlags.class);
              assertThat(context).hasSingleBean(ExpandContract.class);
            });
  }

  @Test
  void backsOffForTheUsersOwnBeans() {
    MigrationFlags own = new PhaseDrivenFlags();
    runner
        .withBean("ownFlags", MigrationFlags.class, () -> own)
        .run(
            context -> {
              assertThat(context.getBean(MigrationFlags.class)).isSameAs(own);
              assertThat(context).doesNotHaveBean("ff4jMigrationFlags");
            });
    FF4j ff4j = new FF4j();
    runner
        .withBean("ownFf4j", FF4j.class, () -> ff4j)
        .run(context -> assertThat(context.getBean(FF4j.class)).isSameAs(ff4j));
  }

  @Test
  void exposesTheEndpointOnlyWhenAvailable() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ExpandContractEndpoint.class));
    runner
        .withPropertyValues("management.endpoints.web.exposure.include=expandcontract")
        .run(context -> assertThat(context).hasSingleBean(ExpandContractEndpoint.class));
    runner
        .withPropertyValues(
            "management.endpoints.web.exposure.include=expandcontract",
            "management.endpoint.expandcontract.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ExpandContractEndpoint.class));
  }

  @Test
  void bindsMetersOnlyWhenThereIsARegistry() {
    runner.run(context -> assertThat(context).doesNotHaveBean(ExpandContractMetrics.class));
    runner
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> assertThat(context).hasSingleBean(ExpandContractMetrics.class));
  }

  @Test
  void healthContributorCanBeSwitchedOff() {
    runner
        .withPropertyValues("management.health.expandcontract.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(ExpandContractHealthIndicator.class));
  }

  @Test
  void theSafetyNetIsOffByDefault() {
    runner
        .withUserConfiguration(ItemsMigration.class)
        .run(
            context ->
                assertThat(context.getBean(ExpandContract.class).safetyNets().enabled()).isFalse());
  }

  @Test
  void enablingTheSafetyNetOnADatabaseWithoutTriggersFailsStartUpNamingTheProperty() {
    runner
        .withUserConfiguration(ItemsMigration.class)
        .withPropertyValues("expand-contract.safety-net.enabled=true")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("safety net")
                    .hasMessageContaining("expand-contract.safety-net.enabled=false"));
  }

  @Test
  void observesBatchesAndVerificationsWhenThereIsAnObservationRegistry() {
    List<String> observed = new CopyOnWriteArrayList<>();
    ObservationRegistry registry = ObservationRegistry.create();
    registry
        .observationConfig()
        .observationHandler(
            new ObservationHandler<Observation.Context>() {
              @Override
              public void onStop(Observation.Context context) {
                observed.add(
                    context.getName()
                        + " "
                        + context.getLowCardinalityKeyValue("migration").getValue()
                        + (context.getError() == null ? "" : " failed"));
              }

              @Override
              public boolean supportsContext(Observation.Context context) {
                return true;
              }
            });
    runner
        .withUserConfiguration(ItemsMigration.class)
        .withBean(ObservationRegistry.class, () -> registry)
        .run(
            context -> {
              assertThat(context).hasSingleBean(OperationObserver.class);
              ExpandContract expandContract = context.getBean(ExpandContract.class);
              expandContract.control().startBackfill("item-email", "test");
              while (expandContract.backfill().runBatch("item-email").moreWorkNow()) {
                // every batch of the two rows
              }
              expandContract.control().verify("item-email", "test");

              assertThat(observed)
                  .contains("expandcontract.backfill.batch item-email")
                  .contains("expandcontract.verify item-email");
            });
    runner.run(context -> assertThat(context).doesNotHaveBean(OperationObserver.class));
  }

  @Test
  void publishesPhaseChangesAndBatchFailuresAsApplicationEvents() {
    runner
        .withUserConfiguration(ItemsMigration.class)
        .run(
            context -> {
              ExpandContract expandContract = context.getBean(ExpandContract.class);
              Events events = context.getBean(Events.class);
              expandContract.control().startBackfill("item-email", "test");
              assertThat(events.phases)
                  .singleElement()
                  .satisfies(
                      e -> {
                        assertThat(e.getMigrationId()).isEqualTo("item-email");
                        assertThat(e.getFrom()).isEqualTo(Phase.EXPANDED);
                        assertThat(e.getTo()).isEqualTo(Phase.BACKFILLING);
                        assertThat(e.getActor()).isEqualTo("test");
                      });
              context
                  .getBean(DataSource.class)
                  .getConnection()
                  .createStatement()
                  .execute("ALTER TABLE items DROP COLUMN email_normalized");
              expandContract.backfill().runBatch("item-email");
              assertThat(events.failures).isNotEmpty();
              assertThat(events.failures.get(0).getMigrationId()).isEqualTo("item-email");
            });
  }

  @Test
  void aMigrationsContractExecutorIsCheckedAtStartUpNamingTheProperty() {
    ApplicationContextRunner items = runner.withUserConfiguration(ItemsMigration.class);
    items
        .withPropertyValues("expand-contract.ddl.migration-executors.item-email=native")
        .run(context -> assertThat(context).hasSingleBean(FlywayContractScripts.class));
    items
        .withPropertyValues(
            "expand-contract.ddl.migration-executors.item-email=pt-online-schema-change")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "expand-contract.ddl.migration-executors.item-email is"
                            + " 'pt-online-schema-change', not a DDL executor; one of native,"
                            + " pt-osc, gh-ost, pg-osc"));
    items
        .withPropertyValues("expand-contract.ddl.migration-executors.item-emial=native")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "expand-contract.ddl.migration-executors.item-emial names no declared"
                            + " migration; declared: [item-email]"));
    // H2's URL names no host the tools could connect to: only native can run there.
    items
        .withPropertyValues("expand-contract.ddl.migration-executors.item-email=pt-osc")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageStartingWith(
                        "expand-contract.ddl.migration-executors.item-email=pt-osc:")
                    .hasMessageContaining("'pt-osc' is not one of [native]"));
  }

  @Test
  void aDefaultExecutorThatCannotRunHereStopsStartUpNamingTheProperty() {
    runner
        .withPropertyValues("expand-contract.ddl.executor=gh-ost")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageStartingWith("expand-contract.ddl.executor=gh-ost: ")
                    .hasMessageContaining("'gh-ost' is not one of [native]"));
  }

  @Test
  void aMigrationsContractExecutorThatCannotServeTheDatabaseStopsStartUp() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ExpandContractAutoConfiguration.class))
        .withPropertyValues(
            "expand-contract.flags.store=in-memory",
            "expand-contract.ddl.migration-executors.item-email=pt-osc")
        .withBean(DataSource.class, () -> TestDatabase.POSTGRES.create("autoconfig_executors"))
        .withUserConfiguration(ItemsMigration.class)
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "expand-contract.ddl.migration-executors.item-email=pt-osc: default DDL"
                            + " executor 'pt-osc': pt-osc runs on MYSQL only, this database is"
                            + " POSTGRESQL"));
  }

  @Configuration(proxyBeanMethods = false)
  static class ItemsMigration {
    @Bean
    Migration itemEmail(DataSource dataSource) throws Exception {
      try (var c = dataSource.getConnection();
          var s = c.createStatement()) {
        s.execute(
            "CREATE TABLE items (id BIGINT PRIMARY KEY, email VARCHAR(200),"
                + " email_normalized VARCHAR(200))");
        s.execute("INSERT INTO items (id, email) VALUES (1, 'A@X.org'), (2, 'B@X.org')");
      }
      return Migration.column("item-email")
          .table("items")
          .key("id")
          .map("email")
          .to("email_normalized")
          .using("lower(email)")
          .build();
    }

    @Bean
    Events events() {
      return new Events();
    }
  }

  static class Events implements ApplicationListener<org.springframework.context.ApplicationEvent> {
    final List<MigrationPhaseChangedEvent> phases = new CopyOnWriteArrayList<>();
    final List<BackfillBatchFailedEvent> failures = new CopyOnWriteArrayList<>();

    @Override
    public void onApplicationEvent(org.springframework.context.ApplicationEvent event) {
      if (event instanceof MigrationPhaseChangedEvent phase) {
        phases.add(phase);
      } else if (event instanceof BackfillBatchFailedEvent failure) {
        failures.add(failure);
      }
    }
  }
}
