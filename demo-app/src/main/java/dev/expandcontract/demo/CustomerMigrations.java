package dev.expandcontract.demo;

import dev.expandcontract.core.migration.Migration;
import java.util.Locale;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code customer-email} declared in Java. ({@code customer-address} is declared in
 * application.yml, to show the other way.)
 */
@Configuration(proxyBeanMethods = false)
class CustomerMigrations {

  @Bean
  Migration customerEmail() {
    return Migration.column("customer-email")
        .table("customers")
        .key("id")
        .map("email")
        .to("email_normalized")
        // The backfill and the verifier run the SQL; dual writes use the Java twin, and
        // verification proves that the two agree.
        .using("lower(trim(email))")
        .usingJava(v -> v == null ? null : v.toString().trim().toLowerCase(Locale.ROOT))
        // Lets a rollback from NEW_ONLY re-sync the old column from the new one.
        .reverse("email_normalized")
        .build();
  }
}
