package dev.expandcontract.demo;

import static org.springframework.security.config.Customizer.withDefaults;

import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.security.autoconfigure.SecurityProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The API is open (it is a demo); health and the migration status are readable like health;
 * migration actions and the Prometheus scrape need HTTP Basic as the user of {@code
 * spring.security.user.*}. The endpoint also checks the write role itself ({@code
 * expand-contract.endpoint.write-role}), which that user is given in application.yml.
 */
@Configuration(proxyBeanMethods = false)
class DemoSecurity {

  private static final Logger log = LoggerFactory.getLogger(DemoSecurity.class);

  /** The admin password application.yml falls back to when DEMO_ADMIN_PASSWORD is not set. */
  static final String DEFAULT_ADMIN_PASSWORD = "change-me";

  @Bean
  ApplicationRunner warnAboutTheDefaultAdminPassword(SecurityProperties security) {
    return args -> {
      if (DEFAULT_ADMIN_PASSWORD.equals(security.getUser().getPassword())) {
        log.warn(
            "The demo's admin user '{}' has the default password '{}': set DEMO_ADMIN_PASSWORD"
                + " wherever the demo is reachable",
            security.getUser().getName(),
            DEFAULT_ADMIN_PASSWORD);
      }
    };
  }

  @Bean
  SecurityFilterChain demoSecurityFilterChain(HttpSecurity http) throws Exception {
    http.authorizeHttpRequests(
            requests ->
                requests
                    .dispatcherTypeMatchers(DispatcherType.ERROR)
                    .permitAll()
                    .requestMatchers("/error")
                    .permitAll()
                    .requestMatchers("/api/**")
                    .permitAll()
                    .requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/**")
                    .permitAll()
                    .requestMatchers(
                        HttpMethod.GET, "/actuator/expandcontract", "/actuator/expandcontract/**")
                    .permitAll()
                    .anyRequest()
                    .authenticated())
        .httpBasic(withDefaults())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        // JSON clients with Basic credentials, no browser session: nothing for CSRF to protect.
        .csrf(csrf -> csrf.ignoringRequestMatchers("/api/**", "/actuator/**"));
    return http.build();
  }
}
