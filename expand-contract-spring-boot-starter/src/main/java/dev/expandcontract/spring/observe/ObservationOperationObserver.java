package dev.expandcontract.spring.observe;

import dev.expandcontract.core.event.OperationObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * The library's units of work as Micrometer Observations, tagged with their migration: traces show
 * each backfill batch, verification, dual write and contract with the statements under it, and
 * Boot's observation handlers time them.
 */
public final class ObservationOperationObserver implements OperationObserver {

  private final ObservationRegistry registry;

  public ObservationOperationObserver(ObservationRegistry registry) {
    this.registry = registry;
  }

  @Override
  public <T, E extends Exception> T observe(
      Operation operation, String migrationId, Work<T, E> work) throws E {
    Observation observation =
        Observation.createNotStarted(operation.observationName(), registry)
            .lowCardinalityKeyValue("migration", migrationId)
            .start();
    try (Observation.Scope scope = observation.openScope()) {
      return work.run();
    } catch (Throwable failure) {
      observation.error(failure);
      throw failure;
    } finally {
      observation.stop();
    }
  }
}
