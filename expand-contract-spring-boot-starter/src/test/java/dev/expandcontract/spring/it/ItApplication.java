package dev.expandcontract.spring.it;

import dev.expandcontract.core.migration.Migration;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The small JPA application the starter's integration tests run: {@code customers} with two
 * migrations on it, one declared as a bean (here) and one in {@code application.properties}.
 */
@SpringBootApplication
public class ItApplication {

  /** Column migration: email to email_normalized, with a Java twin and a reverse transform. */
  @Bean
  Migration customerEmail() {
    return Migration.column("customer-email")
        .table("customers")
        .key("id")
        .map("email")
        .to("email_normalized")
        .using("lower(trim(email))")
        .usingJava(value -> Emails.normalize((String) value))
        .reverse("email_normalized")
        .batchSize(200)
        .build();
  }

  @Bean
  RecordingListener recordingListener() {
    return new RecordingListener();
  }
}
