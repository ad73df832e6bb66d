package dev.expandcontract.core.event;

import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.core.verify.VerificationReport;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class CompositeListener implements ExpandContractListener {

  private static final Logger log = LoggerFactory.getLogger(CompositeListener.class);
  private final Supplier<List<ExpandContractListener>> lookup;
  private volatile List<ExpandContractListener> listeners;

  CompositeListener(Supplier<List<ExpandContractListener>> lookup) {
    this.lookup = lookup;
  }

  private void each(Consumer<ExpandContractListener> event) {
    List<ExpandContractListener> resolved = listeners;
    if (resolved == null) {
      resolved = List.copyOf(lookup.get());
      listeners = resolved;
    }
    for (ExpandContractListener listener : resolved) {
      try {
        event.accept(listener);
      } catch (RuntimeException e) {
        // A broken metrics or logging hook must never break a batch or a request.
        log.warn("expand-contract listener {} failed", listener, e);
      }
    }
  }

  @Override
  public void batchCompleted(BatchCompleted batch) {
    each(l -> l.batchCompleted(batch));
  }

  @Override
  public void batchFailed(String migrationId, int attempt, Throwable error) {
    each(l -> l.batchFailed(migrationId, attempt, error));
  }

  @Override
  public void backfillWaiting(String migrationId, String reason) {
    each(l -> l.backfillWaiting(migrationId, reason));
  }

  @Override
  public void databaseUnavailable(String migrationId, Throwable error) {
    each(l -> l.databaseUnavailable(migrationId, error));
  }

  @Override
  public void poisonRow(String migrationId, String key, String error) {
    each(l -> l.poisonRow(migrationId, key, error));
  }

  @Override
  public void backfillPaused(String migrationId, String reason) {
    each(l -> l.backfillPaused(migrationId, reason));
  }

  @Override
  public void throttleChanged(String migrationId, ThrottleState state) {
    each(l -> l.throttleChanged(migrationId, state));
  }

  @Override
  public void phaseChanged(PhaseTransition transition) {
    each(l -> l.phaseChanged(transition));
  }

  @Override
  public void transitionRefused(String migrationId, String action, String reason) {
    each(l -> l.transitionRefused(migrationId, action, reason));
  }

  @Override
  public void verified(VerificationReport report) {
    each(l -> l.verified(report));
  }

  @Override
  public void repaired(RepairReport report) {
    each(l -> l.repaired(report));
  }

  @Override
  public void flagOverridden(String migrationId, String flag, String reason) {
    each(l -> l.flagOverridden(migrationId, flag, reason));
  }

  @Override
  public void shadowMismatch(String migrationId, Object key) {
    each(l -> l.shadowMismatch(migrationId, key));
  }

  @Override
  public void readRouted(String migrationId, boolean fromNew) {
    each(l -> l.readRouted(migrationId, fromNew));
  }

  @Override
  public void dualWrite(String migrationId, Duration duration) {
    each(l -> l.dualWrite(migrationId, duration));
  }
}
