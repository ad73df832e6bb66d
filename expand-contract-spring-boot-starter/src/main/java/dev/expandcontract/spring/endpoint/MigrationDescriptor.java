package dev.expandcontract.spring.endpoint;

import dev.expandcontract.core.MigrationStatus;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.phase.AllowedAction;
import dev.expandcontract.core.store.BackfillChunk;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.PhaseTransition;
import dev.expandcontract.spring.endpoint.ActionDescriptors.DdlDescriptor;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One migration as the actuator endpoint shows it; never a core object. */
public record MigrationDescriptor(
    String id,
    String kind,
    String phase,
    int readPercent,
    boolean paused,
    boolean resyncingOld,
    List<AllowedActionDescriptor> allowedActions,
    long rowsDone,
    long rowsTotal,
    double rowsPerSecond,
    Long etaSeconds,
    Instant backfillStartedAt,
    Instant backfillFinishedAt,
    int batchSize,
    String lastError,
    Long verifyMismatches,
    String verifySample,
    long poisonRows,
    int chunksTotal,
    int chunksDone,
    String waitingFor,
    List<LeaseDescriptor> leases,
    List<TransitionDescriptor> transitions,
    List<InstanceDescriptor> instances,
    DdlDescriptor ddl,
    String safetyNet,
    ThrottleDescriptor throttle,
    Map<String, String> backfillSettings) {

  /**
   * @param safetyNet the safety net's triggers: {@code installed}, {@code absent}, {@code partial},
   *     {@code off} (not enabled and none in the database) or {@code unknown}
   */
  static MigrationDescriptor of(MigrationStatus s, DdlDescriptor ddl, String safetyNet) {
    return new MigrationDescriptor(
        s.id(),
        s.kind().name().toLowerCase(),
        s.phaseName(),
        s.readPercent(),
        s.paused(),
        s.resyncingOld(),
        s.allowedActions().stream().map(AllowedActionDescriptor::of).toList(),
        s.rowsDone(),
        s.rowsTotal(),
        Math.round(s.rowsPerSecond() * 10) / 10.0,
        s.etaSeconds(),
        s.backfillStartedAt(),
        s.backfillFinishedAt(),
        s.batchSize(),
        s.lastError(),
        s.verifyMismatches(),
        s.verifySample(),
        s.poisonRows(),
        s.chunks().total(),
        s.chunks().done(),
        s.chunks().waitingFor(),
        s.chunks().leased().stream().map(LeaseDescriptor::of).toList(),
        s.recentTransitions().stream().map(TransitionDescriptor::of).toList(),
        s.liveInstances().stream().map(InstanceDescriptor::of).toList(),
        ddl,
        safetyNet,
        ThrottleDescriptor.of(s.throttle()),
        s.backfillSettings());
  }

  /** How this instance paces the backfill now: level, why, and the pause before the next batch. */
  public record ThrottleDescriptor(String level, String reason, long pauseMillis, Instant since) {
    static ThrottleDescriptor of(ThrottleState t) {
      return new ThrottleDescriptor(t.level().name(), t.reason(), t.pause().toMillis(), t.since());
    }
  }

  /**
   * An action the phase allows now.
   *
   * @param action its name in requests, e.g. {@code stop-old-writes}
   * @param refusedBecause why a guard would refuse it at the moment (e.g. the soak time, instances
   *     that have not acknowledged the state), or null
   */
  public record AllowedActionDescriptor(String action, String refusedBecause) {
    static AllowedActionDescriptor of(AllowedAction a) {
      return new AllowedActionDescriptor(a.action().actionName(), a.refusedBecause());
    }
  }

  /** One chunk of the backfill, leased now. */
  public record LeaseDescriptor(
      int chunk, String after, String upTo, String owner, int worker, Instant leaseUntil) {
    static LeaseDescriptor of(BackfillChunk c) {
      return new LeaseDescriptor(
          c.chunkNo(),
          c.resumeAfter(),
          c.upperKey(),
          c.owner(),
          c.worker(),
          Instant.ofEpochMilli(c.leaseUntil()));
    }
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
