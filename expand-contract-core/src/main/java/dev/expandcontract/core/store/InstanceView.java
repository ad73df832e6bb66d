package dev.expandcontract.core.store;

import dev.expandcontract.core.phase.Phase;
import java.time.Instant;
import java.util.function.Predicate;

/**
 * What one running instance last reported about a migration: the state it acts on, and the routing
 * it actually applies for it (which the fleet-wide guards check).
 *
 * @param readPercentApplied the share of keys the instance reads from new
 * @param writesOldApplied whether the instance still writes the old schema
 */
public record InstanceView(
    String instanceId,
    String migrationId,
    Phase phaseSeen,
    long versionSeen,
    int readPercentApplied,
    boolean writesOldApplied,
    Instant heartbeatAt) {

  /**
   * True when this instance has seen {@code state} (or a later version) and applies {@code ready}.
   */
  public boolean acknowledged(MigrationState state, Predicate<InstanceView> ready) {
    return versionSeen >= state.version() && ready.test(this);
  }

  /** One line for a refusal: who, what it saw, and the routing it applies. */
  public String describe() {
    return instanceId
        + " (saw "
        + phaseSeen
        + " version "
        + versionSeen
        + ", reads "
        + readPercentApplied
        + "% new, "
        + (writesOldApplied ? "writes old" : "no longer writes old")
        + ")";
  }
}
