package dev.expandcontract.spring.event;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.store.PhaseTransition;
import org.springframework.context.ApplicationEventPublisher;

/** Republishes the core's phase changes and batch failures as Spring application events. */
public final class ApplicationEventsListener implements ExpandContractListener {

  private final ApplicationEventPublisher publisher;

  public ApplicationEventsListener(ApplicationEventPublisher publisher) {
    this.publisher = publisher;
  }

  @Override
  public void phaseChanged(PhaseTransition t) {
    publisher.publishEvent(
        new MigrationPhaseChangedEvent(
            this,
            t.migrationId(),
            t.from(),
            t.to(),
            t.readPercent(),
            t.at(),
            t.actor(),
            t.reason()));
  }

  @Override
  public void batchFailed(String migrationId, int attempt, Throwable error) {
    publisher.publishEvent(new BackfillBatchFailedEvent(this, migrationId, attempt, error));
  }
}
