package dev.expandcontract.spring.it;

import dev.expandcontract.spring.autoconfigure.ExpandContractProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * What a user configures today (the starter ships no filter chain): status is public like health,
 * actions need the configured role, HTTP basic, no CSRF on the actuator.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication
class ItSecurityConfiguration {

  static final String OPERATOR = "operator";
  static final String VIEWER = "viewer";
  static final String PASSWORD = "secret";

  @Bean
  SecurityFilterChain actuatorSecurity(HttpSecurity http, ExpandContractProperties properties)
      throws Exception {
    String role = properties.endpoint().writeRole();
    http.authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers(
                        HttpMethod.GET, "/actuator/expandcontract", "/actuator/expandcontract/**")
                    .permitAll()
                    .requestMatchers(HttpMethod.POST, "/actuator/expandcontract/**")
                    .hasRole(role)
                    .requestMatchers("/actuator/health")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .httpBasic(Customizer.withDefaults())
        .csrf(csrf -> csrf.ignoringRequestMatchers("/actuator/**"));
    return http.build();
  }

  @Bean
  InMemoryUserDetailsManager users(ExpandContractProperties properties) {
    return new InMemoryUserDetailsManager(
        User.withUsername(OPERATOR)
            .password("{noop}" + PASSWORD)
            .roles(properties.endpoint().writeRole())
            .build(),
        User.withUsername(VIEWER).password("{noop}" + PASSWORD).roles("USER").build());
  }
}
