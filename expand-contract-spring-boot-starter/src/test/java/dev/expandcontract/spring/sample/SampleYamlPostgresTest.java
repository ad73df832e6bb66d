package dev.expandcontract.spring.sample;

import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@ActiveProfiles("yaml")
class SampleYamlPostgresTest extends SampleServiceLifecycleTest {

  @DynamicPropertySource
  static void databaseProperties(DynamicPropertyRegistry registry) {
    SampleDatabase.POSTGRES.register(registry, "sample_yaml");
  }

  @Override
  SampleDatabase database() {
    return SampleDatabase.POSTGRES;
  }
}
