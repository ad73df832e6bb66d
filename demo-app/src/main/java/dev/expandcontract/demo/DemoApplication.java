package dev.expandcontract.demo;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * A customer service in the middle of two expand-contract migrations: {@code customer-email}
 * normalizes a column in place, {@code customer-address} moves three columns to a table of their
 * own. Drive both through {@code /actuator/expandcontract} while the API keeps serving.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DemoApplication {

  public static void main(String[] args) {
    SpringApplication.run(DemoApplication.class, args);
  }
}
