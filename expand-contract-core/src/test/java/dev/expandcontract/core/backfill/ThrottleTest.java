package dev.expandcontract.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.MutableClock;
import dev.expandcontract.core.backfill.Throttle.Health;
import dev.expandcontract.core.backfill.ThrottleState.Level;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.BackfillTuning;
import dev.expandcontract.core.migration.ThrottleSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The throttle's decision from one health reading, with the shipped defaults and a pause between
 * batches (none by default), so that the levels' pauses differ.
 */
class ThrottleTest {

  private static final BackfillSettings DEFAULTS =
      BackfillTuning.apply(BackfillSettings.DEFAULTS, Map.of("pause-between-batches", "10ms"));
  private static final ThrottleSettings T = ThrottleSettings.DEFAULTS;
  private static final Duration FAST_COMMIT = Duration.ofMillis(2);

  private static Health health(int active, int blocked) {
    return new Health(active, blocked, "sessions waited on the batch's row locks");
  }

  private static ThrottleState decide(Health health, Duration commit, boolean activeRecently) {
    return Throttle.decide(health, commit, DEFAULTS, activeRecently, "no signals");
  }

  @Test
  void nothingElseRunningMeansNoPause() {
    ThrottleState state = decide(health(0, 0), FAST_COMMIT, false);
    assertThat(state.level()).isEqualTo(Level.FULL_SPEED);
    assertThat(state.pause()).isZero();
  }

  @Test
  void aServiceSeenWithinTheLastSecondMeansThePauseBetweenBatches() {
    ThrottleState state = decide(health(0, 0), FAST_COMMIT, true);
    assertThat(state.level()).isEqualTo(Level.YIELDING);
    assertThat(state.pause()).isEqualTo(DEFAULTS.pauseBetweenBatches());
  }

  @Test
  void sessionsWaitingOnTheBatchCutTheNextBatchButKeepThePause() {
    Health blocked = health(3, T.maxBlockedSessions());
    ThrottleState state = decide(blocked, FAST_COMMIT, true);
    assertThat(state.level()).isEqualTo(Level.THROTTLED);
    assertThat(state.reason()).contains("waited on the batch's row locks");
    assertThat(state.pause()).isEqualTo(DEFAULTS.pauseBetweenBatches());
    assertThat(Throttle.cutsNextBatch(blocked, T)).isTrue();
    assertThat(Throttle.cutsNextBatch(health(3, 0), T)).isFalse();
  }

  @Test
  void manyActiveSessionsOrASlowCommitMeanTheThrottledPause() {
    ThrottleState busy = decide(health(T.maxActiveSessions(), 0), FAST_COMMIT, true);
    assertThat(busy.level()).isEqualTo(Level.THROTTLED);
    assertThat(busy.pause()).isEqualTo(T.throttledPause());
    assertThat(busy.reason()).contains("(throttles at " + T.maxActiveSessions() + ")");

    ThrottleState slow = decide(health(1, 0), T.maxCommitTime(), true);
    assertThat(slow.level()).isEqualTo(Level.THROTTLED);
    assertThat(slow.reason()).contains("checkpoint and commit took");
    assertThat(slow.pause()).isEqualTo(T.throttledPause());
  }

  @Test
  void theCriticalLevelWinsOverEveryOtherSignal() {
    Health critical = health(T.criticalActiveSessions(), 5);
    ThrottleState state = decide(critical, T.maxCommitTime(), true);
    assertThat(state.level()).isEqualTo(Level.CRITICAL);
    assertThat(Throttle.cutsNextBatch(critical, T)).isFalse();
  }

  @Test
  void withoutSignalsBatchesPauseThePauseBetweenBatchesAndSayWhy() {
    ThrottleState state = decide(null, FAST_COMMIT, false);
    assertThat(state.level()).isEqualTo(Level.YIELDING);
    assertThat(state.reason()).isEqualTo("no signals");
    assertThat(state.pause()).isEqualTo(DEFAULTS.pauseBetweenBatches());
  }

  @Test
  void atFullSpeedBatchesAimAtTheFullSpeedBatchTimeAndElseAtTheTarget() {
    assertThat(Throttle.target(decide(health(0, 0), FAST_COMMIT, false), DEFAULTS))
        .isEqualTo(T.fullSpeedBatchTime());
    assertThat(Throttle.target(decide(health(0, 0), FAST_COMMIT, true), DEFAULTS))
        .isEqualTo(DEFAULTS.targetBatchTime());
  }

  @Test
  void aSlowCommitThrottlesTheDecisionAfterTheNextCopy() {
    Throttle throttle = new Throttle(MutableClock.startingNow());
    throttle.committed(T.maxCommitTime());
    assertThat(throttle.afterCopy(health(1, 0), DEFAULTS, "-").level()).isEqualTo(Level.THROTTLED);
    throttle.committed(FAST_COMMIT);
    assertThat(throttle.afterCopy(health(1, 0), DEFAULTS, "-").level()).isEqualTo(Level.YIELDING);
  }

  @Test
  void aLevelKeepsTheTimeItWasEnteredAndTheServiceIsRememberedForASecond() {
    MutableClock clock = MutableClock.startingNow();
    Throttle throttle = new Throttle(clock);
    ThrottleState first = throttle.afterCopy(health(1, 0), DEFAULTS, "-");
    clock.advance(Duration.ofMillis(500));
    ThrottleState second = throttle.afterCopy(health(0, 0), DEFAULTS, "-");
    assertThat(second.level()).isEqualTo(Level.YIELDING);
    assertThat(second.since()).isEqualTo(first.since());
    clock.advance(Throttle.ACTIVITY_MEMORY);
    ThrottleState third = throttle.afterCopy(health(0, 0), DEFAULTS, "-");
    assertThat(third.level()).isEqualTo(Level.FULL_SPEED);
    assertThat(third.since()).isEqualTo(clock.instant());
  }
}
