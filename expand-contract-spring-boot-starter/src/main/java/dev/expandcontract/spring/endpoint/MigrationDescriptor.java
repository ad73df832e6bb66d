package dev.expandcontract.spring.endpoint;

import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.PhaseTransition;
import java.time.Instant;
import java.util.List;

/** One migration as the actuator endpoint shows it; never a core object. */
public record MigrationDescriptor(
    String id,
    String kind,
    String phase,
    int readPercent,
    boolean paused,
    boolean resyncingOld,
    long rowsDone,
    long rowsTotal,
    double rowsPerSecond,
    Long etaSeconds,
    int batchSize,
    String lastError,
    Long verifyMismatches,
    String verifySample,
    List<TransitionDescriptor> transitions,
    List<InstanceDescriptor> instances) {

  static MigrationDescriptor of(MigrationStatus s) {
    return new MigrationDescriptor(
        s.id(),
        s.kind().name().toLowerCase(),
        s.phase().name(),
        s.readPercent(),
        s.paused(),
        s.resyncingOld(),
        s.rowsDone(),
        s.rowsTotal(),
        Math.round(s.rowsPerSecond() * 10) / 10.0,
        s.etaSeconds(),
        s.batchSize(),
        s.lastError(),
        s.verifyMismatches(),
        s.verifySample(),
        s.recentTransitions().stream().map(TransitionDescriptor::of).toList(),
        s.liveInstances().stream().map(InstanceDescriptor::of).toList());
  }

  /** One recorded transition. */
  public record TransitionDescriptor(
      long version,
      String from,
      String to,
      int readPercent,
      Instant at,
      String actor,
      String reason) {
    static TransitionDescriptor of(PhaseTransition t) {
      return new TransitionDescriptor(
          t.version(),
          t.from().name(),
          t.to().name(),
          t.readPercent(),
          t.at(),
          t.actor(),
          t.reason());
    }
  }

  /** What one live instance reads. */
  public record InstanceDescriptor(
      String instanceId, String phase, int readPercent, Instant heartbeatAt) {
    static InstanceDescriptor of(InstanceView i) {
      return new InstanceDescriptor(
          i.instanceId(), i.phaseSeen().name(), i.readPercentApplied(), i.heartbeatAt());
    }
  }
}
