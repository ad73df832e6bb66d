package dev.expandcontract.spring.sample;

import dev.expandcontract.spring.it.ItDatabases;
import dev.expandcontract.test.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;

/** The servers the sample runs on, with what the service configures per database. */
enum SampleDatabase {
  POSTGRES(TestDatabase.POSTGRES, Map.of()),
  // shipments.id is CHAR(36) on MariaDB: Hibernate maps a UUID to MariaDB's native uuid otherwise.
  MARIADB(
      TestDatabase.MARIADB,
      Map.of("spring.jpa.properties.hibernate.type.preferred_uuid_jdbc_type", "CHAR"));

  private final TestDatabase server;
  private final Map<String, String> properties;

  SampleDatabase(TestDatabase server, Map<String, String> properties) {
    this.server = server;
    this.properties = properties;
  }

  /** A fresh database {@code name} for the test's contexts, and the service's settings for it. */
  void register(DynamicPropertyRegistry registry, String name) {
    ItDatabases.register(registry, server, name);
    properties.forEach((key, value) -> registry.add(key, () -> value));
  }

  /**
   * Command-line arguments that start another build of the sample on the test's database (the
   * arguments win over {@code sample.properties}, as the test's own properties do).
   */
  String[] arguments(Environment environment) {
    List<String> arguments = new ArrayList<>();
    arguments.add("--spring.config.name=sample");
    arguments.add("--spring.main.web-application-type=none");
    for (String key :
        List.of(
            "spring.datasource.url", "spring.datasource.username", "spring.datasource.password")) {
      arguments.add("--" + key + "=" + environment.getProperty(key, ""));
    }
    properties.forEach((key, value) -> arguments.add("--" + key + "=" + value));
    return arguments.toArray(String[]::new);
  }

  /** A shipment key as plain JDBC binds it to {@code shipments.id}. */
  Object shipmentKey(UUID id) {
    return this == POSTGRES ? id : id.toString();
  }
}
