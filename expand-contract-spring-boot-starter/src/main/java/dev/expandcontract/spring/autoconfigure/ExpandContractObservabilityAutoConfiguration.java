package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.spring.event.ApplicationEventsListener;
import dev.expandcontract.spring.observe.BackfillProgressLog;
import dev.expandcontract.spring.observe.ExpandContractHealthIndicator;
import dev.expandcontract.spring.observe.ExpandContractMetrics;
import dev.expandcontract.spring.observe.ObservationOperationObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Turns the core's events into Micrometer meters, progress log lines and a health contributor. The
 * listeners reach the core lazily, so they can need the {@link ExpandContract} bean they listen to.
 */
@AutoConfiguration(
    after = ExpandContractAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
    })
@ConditionalOnBean(ExpandContract.class)
public final class ExpandContractObservabilityAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  BackfillProgressLog expandContractProgressLog(
      ObjectProvider<ExpandContract> expandContract, ExpandContractProperties properties) {
    return new BackfillProgressLog(expandContract::getObject, properties.progressLogInterval());
  }

  /** Phase changes and batch failures as Spring application events. */
  @Bean
  @ConditionalOnMissingBean
  ApplicationEventsListener expandContractApplicationEvents(ApplicationEventPublisher publisher) {
    return new ApplicationEventsListener(publisher);
  }

  /** Meters tagged by migration, when Micrometer has a registry. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterRegistry.class)
  @ConditionalOnBean(MeterRegistry.class)
  static class MetricsConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ExpandContractMetrics expandContractMetrics(ObjectProvider<ExpandContract> expandContract) {
      return new ExpandContractMetrics(expandContract::getObject);
    }
  }

  /**
   * Batches, verifications, dual writes and contracts as Observations, when there is a registry.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(ObservationRegistry.class)
  @ConditionalOnBean(ObservationRegistry.class)
  static class ObservationConfiguration {

    @Bean
    @ConditionalOnMissingBean
    OperationObserver expandContractOperationObserver(ObservationRegistry registry) {
      return new ObservationOperationObserver(registry);
    }
  }

  /** Each migration's phase and last error in the health details; always UP. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(AbstractHealthIndicator.class)
  @ConditionalOnEnabledHealthIndicator("expandcontract")
  static class HealthConfiguration {

    /** Its name makes the contributor {@code expandcontract}, lowercase like the endpoint id. */
    @Bean
    @ConditionalOnMissingBean(name = "expandcontractHealthIndicator")
    ExpandContractHealthIndicator expandcontractHealthIndicator(ExpandContract expandContract) {
      return new ExpandContractHealthIndicator(expandContract);
    }
  }
}
