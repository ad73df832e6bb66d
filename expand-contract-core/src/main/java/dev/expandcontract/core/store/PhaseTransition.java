package dev.expandcontract.core.store;

import dev.expandcontract.core.phase.Phase;
import java.time.Instant;

/** One recorded change of a migration's state: who moved it, when, and why. */
public record PhaseTransition(
    String migrationId,
    long version,
    Phase from,
    Phase to,
    int readPercent,
    Instant at,
    String actor,
    String reason) {}
