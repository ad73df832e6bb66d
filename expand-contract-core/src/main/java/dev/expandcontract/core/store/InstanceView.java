package dev.expandcontract.core.store;

import dev.expandcontract.core.phase.Phase;
import java.time.Instant;

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
    Instant heartbeatAt) {}
