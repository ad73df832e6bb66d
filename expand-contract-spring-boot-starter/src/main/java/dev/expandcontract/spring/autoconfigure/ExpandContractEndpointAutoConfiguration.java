package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.ddl.DdlActivity;
import dev.expandcontract.spring.endpoint.ActionRequestValidator;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.json.JsonFactory;

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
      ExpandContractProperties properties,
      MigrationCompaction compaction,
      DdlActivity ddlActivity) {
    return new ExpandContractEndpoint(
        expandContract,
        contractScripts.getIfAvailable(),
        properties.endpoint().writeRole(),
        compaction,
        ddlActivity);
  }

  /** Names what is wrong with a malformed action body, before Spring MVC answers a bare 400. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(JsonFactory.class)
  static class ActionRequestValidation {

    @Bean
    @ConditionalOnMissingBean(name = "expandContractActionRequestValidator")
    FilterRegistrationBean<ActionRequestValidator> expandContractActionRequestValidator(
        ObjectProvider<PathMappedEndpoints> endpoints) {
      ActionRequestValidator validator =
          new ActionRequestValidator(
              () -> endpoints.getObject().getPath(EndpointId.of(ExpandContractEndpoint.ID)));
      FilterRegistrationBean<ActionRequestValidator> registration =
          new FilterRegistrationBean<>(validator);
      // After Spring Security's filter chain (order -100 by default): an unauthenticated caller
      // is refused before its body is looked at.
      registration.setOrder(0);
      return registration;
    }
  }
}
