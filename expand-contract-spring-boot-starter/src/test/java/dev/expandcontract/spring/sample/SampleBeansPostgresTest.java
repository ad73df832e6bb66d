package dev.expandcontract.spring.sample;

import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@ActiveProfiles("beans")
class SampleBeansPostgresTest extends SampleServiceLifecycleTest {

  @DynamicPropertySource
  static void databaseProperties(DynamicPropertyRegistry registry) {
    SampleDatabase.POSTGRES.register(registry, "sample_beans");
  }

  @Override
  SampleDatabase database() {
    return SampleDatabase.POSTGRES;
  }
}
