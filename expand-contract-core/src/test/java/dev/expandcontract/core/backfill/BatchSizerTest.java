package dev.expandcontract.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.internal.Backoff;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.ThrottleSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSizerTest {

  // Target 500 ms, sizes between 50 and 20,000.
  private static final BackfillSettings SETTINGS =
      new BackfillSettings(
          1000,
          50,
          20_000,
          Duration.ofMillis(500),
          Duration.ofMillis(50),
          Duration.ofMillis(500),
          Duration.ofSeconds(30),
          5,
          Duration.ofMillis(200),
          ThrottleSettings.DEFAULTS);

  private static int next(int current, long tookMillis) {
    return BatchSizer.next(
        SETTINGS,
        SETTINGS.targetBatchTime(),
        BatchSizer.MAX_GROWTH,
        current,
        Duration.ofMillis(tookMillis));
  }

  @Test
  void atFullSpeedTheSizeGrowsUpToFourTimesPerBatch() {
    assertThat(
            BatchSizer.next(
                SETTINGS,
                SETTINGS.targetBatchTime(),
                BatchSizer.FULL_SPEED_GROWTH,
                1000,
                Duration.ofMillis(10)))
        .isEqualTo(4000);
    assertThat(next(1000, 10)).as("otherwise").isEqualTo(1500);
  }

  @Test
  void aBatchOnTargetKeepsItsSize() {
    assertThat(next(1000, 500)).isEqualTo(1000);
  }

  @Test
  void theSizeFollowsTheTargetProportionally() {
    assertThat(next(1000, 400)).isEqualTo(1250);
    assertThat(next(1000, 625)).isEqualTo(800);
  }

  @Test
  void aFastBatchGrowsTheSizeByAtMostHalf() {
    assertThat(next(1000, 100)).isEqualTo(1500);
    assertThat(next(1000, 0)).isEqualTo(1500);
  }

  @Test
  void aSomewhatSlowBatchAtMostHalvesTheSize() {
    assertThat(next(1000, 900)).isEqualTo(556);
    assertThat(next(1000, 1_000)).isEqualTo(500);
  }

  @Test
  void aBatchFarOverTargetIsCutAtOnceToTheSizeThatMeetsIt() {
    assertThat(next(1000, 5_000)).isEqualTo(100);
    assertThat(next(10_000, 2_000)).isEqualTo(2500);
  }

  @Test
  void theShippedDefaultsAimAtShortBatchesThatTheTargetBounds() {
    BackfillSettings d = BackfillSettings.DEFAULTS;
    assertThat(d.targetBatchTime()).isEqualTo(Duration.ofMillis(25));
    assertThat(d.pauseBetweenBatches()).as("the throttle pauses, not every batch").isZero();
    assertThat(d.maxBatchSize()).isEqualTo(100_000);
  }

  @Test
  void theSizeStaysWithinItsBounds() {
    assertThat(next(60, 10_000)).isEqualTo(SETTINGS.minBatchSize());
    assertThat(next(15_000, 1)).isEqualTo(SETTINGS.maxBatchSize());
    assertThat(next(SETTINGS.minBatchSize(), 60_000)).isEqualTo(SETTINGS.minBatchSize());
    assertThat(next(SETTINGS.maxBatchSize(), 1)).isEqualTo(SETTINGS.maxBatchSize());
  }

  @Test
  void repeatedSlowBatchesConvergeOnTheMinimumAndFastOnesOnTheMaximum() {
    int size = 1000;
    for (int i = 0; i < 20; i++) {
      size = next(size, 2_000);
    }
    assertThat(size).isEqualTo(SETTINGS.minBatchSize());
    for (int i = 0; i < 20; i++) {
      size = next(size, 10);
    }
    assertThat(size).isEqualTo(SETTINGS.maxBatchSize());
  }

  @Test
  void backoffGrowsExponentiallyWithJitterAndIsCapped() {
    Duration base = Duration.ofMillis(200);
    for (int i = 0; i < 100; i++) {
      assertThat(Backoff.delay(base, 1, BackfillEngine.MAX_BACKOFF).toMillis())
          .isBetween(100L, 300L);
      assertThat(Backoff.delay(base, 3, BackfillEngine.MAX_BACKOFF).toMillis())
          .isBetween(400L, 1200L);
      assertThat(Backoff.delay(base, 30, BackfillEngine.MAX_BACKOFF).toMillis()).isEqualTo(30_000L);
    }
  }
}
