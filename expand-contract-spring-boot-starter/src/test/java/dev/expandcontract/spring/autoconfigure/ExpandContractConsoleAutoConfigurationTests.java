package dev.expandcontract.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.spring.console.OperatorConsole;
import dev.expandcontract.test.TestDatabase;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

/** When the operator console is served: only when asked for, on a web app exposing the endpoint. */
class ExpandContractConsoleAutoConfigurationTests {

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final WebApplicationContextRunner web =
      new WebApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  ExpandContractAutoConfiguration.class,
                  ExpandContractEndpointAutoConfiguration.class,
                  ExpandContractConsoleAutoConfiguration.class,
                  EndpointAutoConfiguration.class,
                  WebEndpointAutoConfiguration.class,
                  HealthContributorAutoConfiguration.class))
          .withPropertyValues(
              "expand-contract.flags.store=in-memory",
              "management.endpoints.web.exposure.include=expandcontract")
          .withBean(
              DataSource.class,
              () -> TestDatabase.H2.create("console_autoconfig_" + DATABASES.incrementAndGet()));

  @Test
  void isOffByDefault() {
    web.run(
        context -> {
          assertThat(context).hasNotFailed();
          assertThat(context).doesNotHaveBean(OperatorConsole.class);
          assertThat(context).doesNotHaveBean("expandContractConsoleRoute");
        });
  }

  @Test
  void isServedUnderTheActuatorBasePathWhenEnabled() {
    web.withPropertyValues("expand-contract.console.enabled=true")
        .run(
            context -> {
              assertThat(context).hasSingleBean(OperatorConsole.class);
              assertThat(context).hasBean("expandContractConsoleRoute");
            });
  }

  @Test
  void needsTheEndpointExposedOnTheWeb() {
    web.withPropertyValues(
            "expand-contract.console.enabled=true", "management.endpoints.web.exposure.include=")
        .run(context -> assertThat(context).doesNotHaveBean(OperatorConsole.class));
  }

  @Test
  void isNotServedOutsideAServletApplication() {
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ExpandContractAutoConfiguration.class,
                ExpandContractEndpointAutoConfiguration.class,
                ExpandContractConsoleAutoConfiguration.class,
                EndpointAutoConfiguration.class))
        .withPropertyValues(
            "expand-contract.flags.store=in-memory",
            "expand-contract.console.enabled=true",
            "management.endpoints.web.exposure.include=expandcontract")
        .withBean(
            DataSource.class,
            () -> TestDatabase.H2.create("console_autoconfig_" + DATABASES.incrementAndGet()))
        .run(context -> assertThat(context).doesNotHaveBean(OperatorConsole.class));
  }
}
