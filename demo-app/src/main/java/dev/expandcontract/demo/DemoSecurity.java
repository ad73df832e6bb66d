package dev.expandcontract.demo;

import static org.springframework.security.config.Customizer.withDefaults;

import jakarta.servlet.DispatcherType;
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
