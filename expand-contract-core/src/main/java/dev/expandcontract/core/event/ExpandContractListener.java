package dev.expandcontract.core.event;

import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.core.verify.VerificationReport;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What the core reports while it works. Every method defaults to doing nothing; the starter turns
 * these into Micrometer meters, log lines and Spring events.
 */
public interface ExpandContractListener {

  ExpandContractListener NO_OP = new ExpandContractListener() {};

  default void batchCompleted(BatchCompleted batch) {}

  /** An attempt of a batch failed; it will be retried unless the backfill pauses. */
  default void batchFailed(String migrationId, int attempt, Throwable error) {}

  /**
   * A worker found no chunk to copy: every unfinished chunk is leased by another worker. The reason
   * names the lease that runs out next and when.
   */
  default void backfillWaiting(String migrationId, String reason) {}

  /**
   * A batch could not reach the database through its retries; the backfill did not pause and goes
   * on by itself once the database is back.
   */
  default void databaseUnavailable(String migrationId, Throwable error) {}

  /**
   * The backfill set a row aside because its transform fails on the row's data; the rest goes on.
   * The row is in the poison table until {@code retry-poison} copies it.
   */
  default void poisonRow(String migrationId, String key, String error) {}

  /** The backfill paused itself after too many failed attempts (or an operator paused it). */
  default void backfillPaused(String migrationId, String reason) {}

  /**
   * This instance's throttle moved the migration's backfill to another level (the reason says why).
   */
  default void throttleChanged(String migrationId, ThrottleState state) {}

  default void phaseChanged(PhaseTransition transition) {}

  /** A guard refused an action; the state is unchanged. */
  default void transitionRefused(String migrationId, String action, String reason) {}

  default void verified(VerificationReport report) {}

  /** A repair re-copied the keys verification found mismatching; {@code after} is what is left. */
  default void repaired(RepairReport report) {}

  /** A flag was set outside what the phase allows; the phase's decision was used instead. */
  default void flagOverridden(String migrationId, String flag, String reason) {}

  /** A read compared old and new and found them different. */
  default void shadowMismatch(String migrationId, Object key) {}

  default void readRouted(String migrationId, boolean fromNew) {}

  default void dualWrite(String migrationId, Duration duration) {}

  /** Fans events out to several listeners; one failing listener does not stop the others. */
  static ExpandContractListener composite(List<ExpandContractListener> listeners) {
    List<ExpandContractListener> copy = List.copyOf(listeners);
    return new CompositeListener(() -> copy);
  }

  /**
   * Like {@link #composite}, with the listeners looked up on the first event: a listener that needs
   * the object it listens to (metrics gauges, say) can then be created after it.
   */
  static ExpandContractListener lazy(Supplier<List<ExpandContractListener>> lookup) {
    return new CompositeListener(lookup);
  }
}
