package dev.expandcontract.demo;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The demo on H2. */
class H2DemoTest extends AbstractDemoTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    useDatabase(registry, TestDatabase.H2, "demo_h2");
  }
}
