package dev.expandcontract.core.store;

import dev.expandcontract.core.phase.Phase;
import java.time.Instant;

/** What one running instance last reported about a migration: the state it acts on. */
public record InstanceView(
    String instanceId,
    String migrationId,
    Phase phaseSeen,
    int readPercentSeen,
    long versionSeen,
    Instant heartbeatAt) {}
