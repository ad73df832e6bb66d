package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The {@code expandcontract} actuator endpoint, when it is available (enabled and exposed). */
@AutoConfiguration(after = ExpandContractAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(ExpandContract.class)
@ConditionalOnAvailableEndpoint(ExpandContractEndpoint.class)
public final class ExpandContractEndpointAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  ExpandContractEndpoint expandContractEndpoint(
      ExpandContract expandContract,
      ObjectProvider<FlywayContractScripts> contractScripts,
      ExpandContractProperties properties) {
    return new ExpandContractEndpoint(
        expandContract, contractScripts.getIfAvailable(), properties.endpoint().writeRole());
  }
}
