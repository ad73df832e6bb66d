package dev.expandcontract.core.backfill;

import dev.expandcontract.core.migration.BackfillSettings;
import java.time.Duration;

/**
 * Steers the batch size toward the target batch time, within the configured bounds. Growth is
 * proportional to how far the last batch was under target but at most ×1.5 per step, so that one
 * lucky fast batch does not make the next one hold its row locks far too long. A batch that ran
 * more than twice its target is cut at once to the size that would have met the target: a batch
 * that long is what the service's writers are waiting on. While nothing else runs on the database
 * there is nobody to keep waiting, and the size may grow ×4 per step.
 */
final class BatchSizer {

  static final double MAX_GROWTH = 1.5;
  static final double FULL_SPEED_GROWTH = 4.0;
  static final double CUT_THRESHOLD = 2.0;
  static final double MAX_GENTLE_SHRINK = 0.5;

  private BatchSizer() {}

  /**
   * The next size, aiming at {@code target} (the target batch time, or the full-speed one) and
   * growing at most {@code maxGrowth} times.
   */
  static int next(
      BackfillSettings settings, Duration target, double maxGrowth, int current, Duration took) {
    double aim = target.toNanos();
    double actual = Math.max(1, took.toNanos());
    double ratio = aim / actual;
    double factor =
        actual > CUT_THRESHOLD * aim
            ? ratio
            : Math.max(MAX_GENTLE_SHRINK, Math.min(maxGrowth, ratio));
    long next = Math.round(current * factor);
    return (int) Math.max(settings.minBatchSize(), Math.min(settings.maxBatchSize(), next));
  }
}
