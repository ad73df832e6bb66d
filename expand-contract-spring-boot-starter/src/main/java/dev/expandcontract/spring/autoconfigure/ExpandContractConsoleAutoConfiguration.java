package dev.expandcontract.spring.autoconfigure;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.spring.console.OperatorConsole;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.endpoint.expose.EndpointExposure;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointProperties;
import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.web.PathMappedEndpoints;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * The operator console ({@code expand-contract.console.enabled=true}): a page on the application's
 * own port that drives the {@code expandcontract} endpoint, so it needs that endpoint exposed over
 * the web on the same port.
 */
@AutoConfiguration(after = ExpandContractEndpointAutoConfiguration.class)
@ConditionalOnClass({
  ConditionalOnAvailableEndpoint.class,
  RouterFunction.class,
  HttpServletRequest.class
})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnProperty(prefix = "expand-contract.console", name = "enabled", havingValue = "true")
@ConditionalOnBean(ExpandContract.class)
@ConditionalOnAvailableEndpoint(
    endpoint = ExpandContractEndpoint.class,
    exposure = EndpointExposure.WEB)
@ConditionalOnManagementPort(ManagementPortType.SAME)
public final class ExpandContractConsoleAutoConfiguration {

  private static final Logger log =
      LoggerFactory.getLogger(ExpandContractConsoleAutoConfiguration.class);

  @Bean
  @ConditionalOnMissingBean
  OperatorConsole expandContractOperatorConsole(
      ExpandContractProperties properties,
      WebEndpointProperties web,
      ObjectProvider<PathMappedEndpoints> endpoints) {
    String path = properties.console().path();
    if (path == null || path.isBlank()) {
      path = web.getBasePath() + "/expandcontract-console";
    }
    log.info("expand-contract: operator console at {}", path);
    return new OperatorConsole(
        path,
        () -> endpoints.getObject().getPath(EndpointId.of(ExpandContractEndpoint.ID)),
        properties.endpoint().writeRole());
  }

  @Bean
  @ConditionalOnMissingBean(name = "expandContractConsoleRoute")
  RouterFunction<ServerResponse> expandContractConsoleRoute(OperatorConsole console) {
    return console.route();
  }
}
