package dev.expandcontract.demo;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * {@code GET /actuator/health/demoSeed}: whether the seed rows are in, so a script or a test over
 * HTTP knows when to start the backfill. Always UP: seeding is demo scaffolding, not service
 * health.
 */
@Component
class DemoSeedHealthIndicator implements HealthIndicator {

  private final DemoSeeder seeder;

  DemoSeedHealthIndicator(DemoSeeder seeder) {
    this.seeder = seeder;
  }

  @Override
  public Health health() {
    return Health.up()
        .withDetail("state", seeder.state().name())
        .withDetail("rows", seeder.insertedRows())
        .withDetail("detail", seeder.detail())
        .build();
  }
}
