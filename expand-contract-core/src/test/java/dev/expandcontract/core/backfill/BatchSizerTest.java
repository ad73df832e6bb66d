package dev.expandcontract.core.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.Backoff;
import dev.expandcontract.core.migration.BackfillSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSizerTest {

  // Target 500 ms, sizes between 50 and 20,000.
  private static final BackfillSettings SETTINGS = BackfillSettings.DEFAULTS;

  private static int next(int current, long tookMillis) {
    return BatchSizer.next(SETTINGS, current, Duration.ofMillis(tookMillis));
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
  void aFastBatchAtMostDoublesTheSize() {
    assertThat(next(1000, 100)).isEqualTo(2000);
    assertThat(next(1000, 0)).isEqualTo(2000);
  }

  @Test
  void aSlowBatchAtMostHalvesTheSize() {
    assertThat(next(1000, 5_000)).isEqualTo(500);
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
