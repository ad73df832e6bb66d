package dev.expandcontract.core.backfill;

import dev.expandcontract.core.migration.BackfillSettings;
import java.time.Duration;

/**
 * Steers the batch size toward the target batch time, within the configured bounds. Growth is
 * proportional to how far the last batch was under target but at most ×1.5 per step, so that one
 * lucky fast batch does not make the next one hold its row locks far too long. A batch that ran
 * more than twice its target is cut at once to the size that would have met the target: a batch
 * that long is what the service's writers are waiting on.
 */
final class BatchSizer {

  static final double MAX_GROWTH = 1.5;
  static final double CUT_THRESHOLD = 2.0;
  static final double MAX_GENTLE_SHRINK = 0.5;

  private BatchSizer() {}

  static int next(BackfillSettings settings, int current, Duration took) {
    double target = settings.targetBatchTime().toNanos();
    double actual = Math.max(1, took.toNanos());
    double ratio = target / actual;
    double factor =
        actual > CUT_THRESHOLD * target
            ? ratio
            : Math.max(MAX_GENTLE_SHRINK, Math.min(MAX_GROWTH, ratio));
    long next = Math.round(current * factor);
    return (int) Math.max(settings.minBatchSize(), Math.min(settings.maxBatchSize(), next));
  }
}
